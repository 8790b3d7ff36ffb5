"""The demo catalog's services: what each team runs on Salesforce, and who owns it."""

from __future__ import annotations

from catalog.services.models import DataClassification, Lifecycle, OwnershipRoleKind, Tier
from server.demo.organisation import DemoBackup, DemoRole, DemoService

T1, T2, T3, T4 = Tier.TIER_1, Tier.TIER_2, Tier.TIER_3, Tier.TIER_4
LIVE, BUILDING, PLANNED = Lifecycle.LIVE, Lifecycle.BUILDING, Lifecycle.PLANNED
DEPRECATED, RETIRED = Lifecycle.DEPRECATED, Lifecycle.RETIRED
PUBLIC, INTERNAL = DataClassification.PUBLIC, DataClassification.INTERNAL
CONFIDENTIAL, RESTRICTED = DataClassification.CONFIDENTIAL, DataClassification.RESTRICTED
PRODUCT_OWNER = OwnershipRoleKind.PRODUCT_OWNER
PLATFORM_OWNER = OwnershipRoleKind.PLATFORM_OWNER
SUPPORT_OWNER = OwnershipRoleKind.SUPPORT_OWNER
DESIGN_AUTHORITY = OwnershipRoleKind.DESIGN_AUTHORITY
AI_MODEL_OWNER = OwnershipRoleKind.AI_MODEL_OWNER

# fmt: off
SALES = (
    DemoService(
        "lead-management", "Lead Management", "sales-cloud", T2, LIVE,
        "Web-to-lead capture, duplicate rules and round-robin assignment of inbound leads "
        "to inside sales.",
        tags=("sales", "leads"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-prod", "crm-uat"), backup=DemoBackup(24, 24, None),
    ),
    DemoService(
        "einstein-lead-scoring", "Einstein Lead Scoring", "sales-cloud", T3, LIVE,
        "Predictive lead scores from Einstein, refreshed nightly, that order the inside "
        "sales work queue.",
        tags=("sales", "leads", "ai"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-prod",), reviewed_days_ago=12,
        roles=(DemoRole(AI_MODEL_OWNER, "priya.raman"),
               DemoRole(DESIGN_AUTHORITY, "arjun.mehta")),
    ),
    DemoService(
        "opportunity-pipeline", "Opportunity Pipeline & Forecasting", "sales-cloud", T1, LIVE,
        "Opportunity stages, forecast categories and collaborative forecasting; the numbers "
        "behind the quarterly revenue guidance.",
        tags=("sales", "forecasting"), classification=CONFIDENTIAL, regimes=("SOX",),
        orgs=("crm-prod", "crm-uat"), backup=DemoBackup(4, 8, 35),
        roles=(DemoRole(PLATFORM_OWNER, "rachel.goldberg"),
               DemoRole(DESIGN_AUTHORITY, "arjun.mehta")),
    ),
    DemoService(
        "account-hierarchy", "Account & Contact Hierarchy", "sales-cloud", T2, LIVE,
        "Golden account records with D&B enrichment, parent-child hierarchies and contact "
        "roles shared by sales, service and marketing.",
        tags=("sales", "master-data"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-prod", "crm-int"),
    ),
    DemoService(
        "territory-management", "Sales Territory Management", "sales-cloud", T3, LIVE,
        "Enterprise territory models, assignment rules and the yearly territory realignment.",
        tags=("sales", "territories"), orgs=("crm-prod",), reviewed_days_ago=160,
    ),
    DemoService(
        "sales-engagement-cadences", "Sales Engagement Cadences", "sales-cloud", T4, BUILDING,
        "Guided outreach cadences for SDRs with call and email steps; piloting with the UK "
        "inside sales team.",
        tags=("sales", "pilot"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-int",), reviewed_days_ago=None,
    ),
)

SERVICE = (
    DemoService(
        "case-management", "Case Management", "service-cloud", T1, LIVE,
        "Email-to-case, web forms, entitlements and milestones for every customer support "
        "case, from first contact to resolution.",
        tags=("service", "support"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-prod", "crm-uat"), calendar="uk-office", backup=DemoBackup(1, 4, 35),
        owner_since_days=119,
        roles=(DemoRole(PRODUCT_OWNER, "peter.walsh", since_days=900, ended_days_ago=120),
               DemoRole(SUPPORT_OWNER, "aisha.bello"),
               DemoRole(PLATFORM_OWNER, "rachel.goldberg")),
    ),
    DemoService(
        "omni-channel-routing", "Omni-Channel Routing", "service-cloud", T1, LIVE,
        "Skills-based routing of cases, chats and messaging sessions to agents by capacity "
        "and presence.",
        tags=("service", "routing"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-prod",), calendar="apac-support", backup=DemoBackup(4, 8, None),
        roles=(DemoRole(SUPPORT_OWNER, "carlos.rivera"),),
    ),
    DemoService(
        "knowledge-base", "Knowledge Base", "service-cloud", T2, LIVE,
        "Lightning Knowledge articles with approval workflow, published to agents and to "
        "the public help centre.",
        tags=("service", "knowledge"), classification=PUBLIC, orgs=("crm-prod",),
        review_interval_days=180, reviewed_days_ago=45,
    ),
    DemoService(
        "customer-help-centre", "Customer Help Centre", "service-cloud", T2, LIVE,
        "The Experience Cloud self-service site: search, case deflection and case status "
        "for customers.",
        tags=("service", "experience-cloud", "self-service"), classification=CONFIDENTIAL,
        regimes=("GDPR",), orgs=("crm-prod", "crm-uat"),
    ),
    DemoService(
        "field-service-scheduling", "Field Service Scheduling", "service-cloud", T1, LIVE,
        "Scheduling policies, optimisation and the dispatcher console that send engineers "
        "to customer sites.",
        tags=("service", "field-service"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-prod", "crm-uat"), calendar="us-field-service",
        backup=DemoBackup(4, 8, 60),
        roles=(DemoRole(SUPPORT_OWNER, "samuel.adeyemi"),
               DemoRole(PLATFORM_OWNER, "nina.petrova")),
    ),
    DemoService(
        "service-contracts-entitlements", "Service Contracts & Entitlements", "service-cloud",
        T2, LIVE,
        "Service contracts, entitlement processes and SLA milestones that decide which "
        "support a customer is owed.",
        tags=("service", "contracts"), classification=CONFIDENTIAL, orgs=("crm-prod",),
        review_interval_days=180, reviewed_days_ago=240,
    ),
    DemoService(
        "einstein-bots", "Einstein Bots for Support Chat", "service-cloud", T3, BUILDING,
        "A chat bot that answers order-status and password questions before handing over "
        "to an agent.",
        tags=("service", "ai", "chat"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-uat",), reviewed_days_ago=None,
        roles=(DemoRole(AI_MODEL_OWNER, "kenji.watanabe", since_days=60),),
    ),
    DemoService(
        "legacy-email-to-case", "Legacy Email-to-Case Agent", "service-cloud", T4, DEPRECATED,
        "The on-premise Email-to-Case agent behind the firewall; replaced by on-demand "
        "Email-to-Case, switched off after the last mailbox moves.",
        tags=("service", "legacy"), classification=CONFIDENTIAL, orgs=("crm-prod",),
        review_interval_days=180, reviewed_days_ago=90,
    ),
)

ENGAGEMENT = (
    DemoService(
        "marketing-cloud-journeys", "Marketing Cloud Journeys", "customer-engagement", T2, LIVE,
        "Journey Builder nurture and onboarding journeys, fed by Marketing Cloud Connect "
        "from CRM leads and contacts.",
        tags=("marketing", "journeys"), classification=CONFIDENTIAL, regimes=("GDPR", "CCPA"),
        orgs=("crm-prod",),
    ),
    DemoService(
        "consent-preference-centre", "Consent & Preference Centre", "customer-engagement",
        T1, LIVE,
        "Subscription and consent records for every contact, honoured by every outbound "
        "channel.",
        tags=("marketing", "consent", "privacy"), classification=RESTRICTED,
        regimes=("GDPR", "CCPA"), orgs=("crm-prod",), backup=DemoBackup(1, 4, 35),
        review_interval_days=60, reviewed_days_ago=20,
        roles=(DemoRole(DESIGN_AUTHORITY, "arjun.mehta"),),
    ),
    DemoService(
        "partner-portal", "Partner Portal", "customer-engagement", T2, LIVE,
        "The partner community: onboarding, deal registration, MDF claims and shared "
        "opportunities with resellers.",
        tags=("partners", "experience-cloud"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("partner-prod", "partner-qa"), backup=DemoBackup(24, 24, 130),
    ),
    DemoService(
        "event-management", "Event Management", "customer-engagement", T4, LIVE,
        "Campaigns and registrations for trade shows and webinars, synced to the events "
        "platform.",
        tags=("marketing", "events"), classification=INTERNAL, orgs=("crm-prod",),
        reviewed_days_ago=300,
    ),
    DemoService(
        "account-engagement-scoring", "Account Engagement Scoring", "customer-engagement",
        T3, DEPRECATED,
        "Pardot grading and scoring of prospects; being replaced by Einstein Lead Scoring.",
        tags=("marketing", "legacy"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-prod",),
    ),
    DemoService(
        "loyalty-programme", "Customer Loyalty Programme", "customer-engagement", T3, PLANNED,
        "Points, tiers and rewards for repeat customers on Loyalty Management; in discovery.",
        tags=("marketing", "loyalty"), classification=CONFIDENTIAL, regimes=("GDPR",),
        reviewed_days_ago=None,
    ),
)

REVENUE = (
    DemoService(
        "cpq-quoting", "CPQ Quoting", "revenue-operations", T1, LIVE,
        "Product bundles, price rules and quote documents in Salesforce CPQ, with guided "
        "selling for the sales teams.",
        tags=("revenue", "cpq", "quoting"), classification=CONFIDENTIAL, regimes=("SOX",),
        orgs=("revenue-prod", "revenue-uat", "cpq-scratch"), calendar="finance-close",
        backup=DemoBackup(1, 4, 21),
        roles=(DemoRole(PRODUCT_OWNER, "grace.liu", since_days=200),
               DemoRole(PLATFORM_OWNER, "rachel.goldberg"),
               DemoRole(DESIGN_AUTHORITY, "jonas.lindqvist")),
    ),
    DemoService(
        "billing-invoicing", "Billing & Invoicing", "revenue-operations", T1, LIVE,
        "Salesforce Billing: invoice runs, payment schedules and credit notes for "
        "subscription customers.",
        tags=("revenue", "billing"), classification=RESTRICTED, regimes=("SOX", "PCI-DSS"),
        orgs=("revenue-prod", "revenue-uat"), calendar="finance-close",
        backup=DemoBackup(1, 4, 21), review_interval_days=60, reviewed_days_ago=14,
        roles=(DemoRole(SUPPORT_OWNER, "aisha.bello"),),
    ),
    DemoService(
        "revenue-recognition", "Revenue Recognition Schedules", "revenue-operations", T1, LIVE,
        "Revenue schedules and finance periods that feed the general ledger at month end.",
        tags=("revenue", "finance"), classification=RESTRICTED, regimes=("SOX",),
        orgs=("revenue-prod",), calendar="finance-close", backup=DemoBackup(4, 24, 21),
        review_interval_days=30, reviewed_days_ago=47,
    ),
    DemoService(
        "discount-approvals", "Discount Approval Workflow", "revenue-operations", T2, LIVE,
        "Advanced approvals for discounts and non-standard terms, by deal size and region.",
        tags=("revenue", "approvals"), classification=CONFIDENTIAL, regimes=("SOX",),
        orgs=("revenue-prod", "revenue-uat"),
    ),
    DemoService(
        "subscription-renewals", "Subscription Renewals", "revenue-operations", T2, BUILDING,
        "Automatic renewal opportunities and quotes ninety days before a contract ends.",
        tags=("revenue", "renewals"), classification=CONFIDENTIAL, regimes=("SOX",),
        orgs=("revenue-uat",), reviewed_days_ago=None,
    ),
)

LEGAL = (
    DemoService(
        "contract-lifecycle-management", "Contract Lifecycle Management", "contracts-compliance",
        T2, LIVE,
        "Contract requests, redlining, the clause library and renewals for customer and "
        "supplier agreements.",
        tags=("legal", "contracts"), classification=CONFIDENTIAL, regimes=("SOX",),
        orgs=("crm-prod",), backup=DemoBackup(24, 48, 100),
    ),
    DemoService(
        "e-signature", "E-Signature", "contracts-compliance", T2, LIVE,
        "DocuSign for Salesforce: envelopes sent from quotes and contracts, status written "
        "back to the record.",
        tags=("legal", "docusign"), classification=CONFIDENTIAL, regimes=("SOX",),
        orgs=("crm-prod", "revenue-prod"),
    ),
    DemoService(
        "data-subject-requests", "Data Subject Requests", "contracts-compliance", T2, LIVE,
        "Access, rectification and erasure requests from customers, tracked to the legal "
        "deadline across every org.",
        tags=("privacy", "legal"), classification=RESTRICTED, regimes=("GDPR", "CCPA"),
        orgs=("crm-prod", "partner-prod"), review_interval_days=60, reviewed_days_ago=75,
        roles=(DemoRole(DESIGN_AUTHORITY, "arjun.mehta"),),
    ),
    DemoService(
        "field-audit-trail", "Field Audit Trail Archive", "contracts-compliance", T3, LIVE,
        "Ten-year field history retention for financial and contract fields (Shield Field "
        "Audit Trail).",
        tags=("audit", "shield"), classification=RESTRICTED, regimes=("SOX",),
        orgs=("crm-prod", "revenue-prod"), review_interval_days=365, reviewed_days_ago=200,
    ),
)

PLATFORM = (
    DemoService(
        "identity-sso", "Salesforce Identity & SSO", "salesforce-platform", T1, LIVE,
        "SAML federation with the corporate IdP, MFA, and permission set groups assigned "
        "from HR roles.",
        tags=("platform", "identity", "security"), classification=RESTRICTED,
        regimes=("SOX", "ISO27001"), orgs=("crm-prod", "revenue-prod", "partner-prod"),
        backup=DemoBackup(24, 4, 90),
        roles=(DemoRole(DESIGN_AUTHORITY, "arjun.mehta"),
               DemoRole(SUPPORT_OWNER, "carlos.rivera")),
    ),
    DemoService(
        "release-pipeline", "Release Pipeline", "salesforce-platform", T2, LIVE,
        "DevOps Center pipelines, static analysis and deployment validation from "
        "integration sandbox to production.",
        tags=("platform", "devops"), orgs=("crm-int", "crm-uat", "crm-prod"),
        roles=(DemoRole(DESIGN_AUTHORITY, "arjun.mehta"),),
    ),
    DemoService(
        "sandbox-seeding", "Sandbox Refresh & Seeding", "salesforce-platform", T3, LIVE,
        "Scheduled sandbox refreshes with masked production data and post-refresh scripts.",
        tags=("platform", "sandboxes", "data-masking"), regimes=("GDPR",),
        orgs=("crm-uat", "crm-int", "revenue-uat", "partner-qa"),
    ),
    DemoService(
        "shield-event-monitoring", "Shield Event Monitoring", "salesforce-platform", T2, LIVE,
        "Login, API and report-export events streamed to the SIEM, with transaction "
        "security policies.",
        tags=("platform", "security", "shield"), classification=CONFIDENTIAL,
        regimes=("SOX", "ISO27001"), orgs=("crm-prod", "revenue-prod"),
    ),
    DemoService(
        "org-limits-monitoring", "Org Limits Monitoring", "salesforce-platform", T3, LIVE,
        "API, storage and governor-limit usage of every org, alerting before a limit bites.",
        tags=("platform", "monitoring"), orgs=("crm-prod", "revenue-prod", "partner-prod"),
        reviewed_days_ago=95,
    ),
)

INTEGRATION = (
    DemoService(
        "order-to-cash-integration", "Order-to-Cash Integration", "integration-platform",
        T1, LIVE,
        "MuleSoft flows that turn accepted quotes into SAP S/4HANA sales orders and bring "
        "invoices and payments back.",
        tags=("integration", "mulesoft", "sap"), classification=CONFIDENTIAL,
        regimes=("SOX",), orgs=("revenue-prod", "crm-prod"), backup=DemoBackup(1, 2, 14),
        roles=(DemoRole(DESIGN_AUTHORITY, "jonas.lindqvist"),
               DemoRole(SUPPORT_OWNER, "samuel.adeyemi")),
    ),
    DemoService(
        "erp-customer-sync", "ERP Customer Master Sync", "integration-platform", T2, LIVE,
        "Two-way sync of customer accounts, addresses and credit status between CRM and "
        "the ERP.",
        tags=("integration", "master-data"), classification=CONFIDENTIAL, regimes=("GDPR",),
        orgs=("crm-prod",),
    ),
    DemoService(
        "platform-events-bus", "Platform Events Bus", "integration-platform", T2, LIVE,
        "Platform events and change data capture relayed to the enterprise event broker.",
        tags=("integration", "events"), orgs=("crm-prod", "revenue-prod"),
    ),
    DemoService(
        "data-cloud-ingestion", "Data Cloud Ingestion", "integration-platform", T3, PLANNED,
        "Ingest web, commerce and CRM data into Data Cloud for unified customer profiles.",
        tags=("integration", "data-cloud"), classification=CONFIDENTIAL, regimes=("GDPR",),
        reviewed_days_ago=None, owner=None,
    ),
)

SUPPORT = (
    DemoService(
        "crm-access-requests", "CRM Access Requests", "crm-service-desk", T3, LIVE,
        "Licence, profile and permission set requests, approved by managers and fulfilled "
        "by the service desk.",
        tags=("support", "access"), regimes=("SOX",), orgs=("crm-prod", "revenue-prod"),
        calendar="uk-office",
        roles=(DemoRole(SUPPORT_OWNER, "aisha.bello"),),
    ),
    DemoService(
        "siebel-bridge", "Siebel Bridge", "crm-service-desk", T4, RETIRED,
        "Read-only bridge to the retired Siebel CRM for historical service requests.",
        tags=("legacy",), classification=CONFIDENTIAL, review_interval_days=365,
        reviewed_days_ago=200, owner=None,
    ),
)
# fmt: on

SERVICES: tuple[DemoService, ...] = (
    SALES + SERVICE + ENGAGEMENT + REVENUE + LEGAL + PLATFORM + INTEGRATION + SUPPORT
)
