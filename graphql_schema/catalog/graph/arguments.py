"""The arguments of the graph walks and cycle searches: their bounds, defaults and help.

Their own module: graph/fields.py and graph/types.py both declare these arguments.
"""

MAX_DEPTH = 20
DEFAULT_DEPTH = 10
DEPTH_HELP = f"Hops to follow when transitive, 1 to {MAX_DEPTH}."
KINDS_HELP = "Only dependencies of these kinds (on every hop); all when null or empty."
MAX_CYCLE_LENGTH = 20
DEFAULT_CYCLE_LENGTH = 10
CYCLE_HELP = f"The longest cycle looked for, in services, 2 to {MAX_CYCLE_LENGTH}."
WALK_HELP = (
    " Transitively, each dependency is listed once, at its shortest depth, and a cycle ends"
    " the walk where it closes (see dependencyCycles)."
)
