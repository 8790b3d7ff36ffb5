// Starts GraphiQL (with the explorer plugin) against this origin's /graphql.
"use strict";
(function () {
  var endpoint = window.location.origin + "/graphql";
  var socket = endpoint.replace(/^http/, "ws");
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    // Lets this page's own queries through CATALOG_TRUSTED_DOCUMENTS=enforce, in dev only.
    headers: { "X-Catalog-GraphiQL": "1" },
    wsClient: graphqlWs.createClient({ url: socket, lazy: true }),
  });
  var e = React.createElement;

  function CatalogGraphiQL() {
    var state = React.useState("");
    var query = state[0];
    var setQuery = state[1];
    var explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query: query, onEdit: setQuery });
    return e(GraphiQL, {
      fetcher: fetcher,
      query: query,
      onEditQuery: setQuery,
      plugins: [explorer],
      defaultEditorToolsVisibility: true,
    });
  }

  ReactDOM.render(e(CatalogGraphiQL), document.getElementById("graphiql"));
})();
