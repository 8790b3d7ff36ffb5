"""Enums of the AI-model register, exposed to GraphQL once, before any type uses them."""

import strawberry

import graphql_schema.catalog.services.enums  # noqa: F401  (DataClassification first)
from catalog.ai_models.models import AIModelStatus, EvaluationComparator, EvaluationKind
from core.row_import import RowFormat

strawberry.enum(
    AIModelStatus,
    description="PROPOSED -> APPROVED (needs passing ACCURACY and FAIRNESS evaluations within"
    " the cadence) <-> SUSPENDED; any but RETIRED -> RETIRED, which is final.",
)
strawberry.enum(
    EvaluationKind,
    description="ACCURACY, FAIRNESS and SAFETY values are fractions from 0 to 1; DRIFT scores"
    " (PSI, KL divergence...) are not negative.",
)
strawberry.enum(
    EvaluationComparator,
    description="An evaluation passes when its value is AT_LEAST or AT_MOST its threshold.",
)
strawberry.enum(
    RowFormat,
    name="EvaluationImportFormat",
    description="CSV with the header model,kind,metric,threshold,value,at[,comparator,dataset,"
    "evaluator], JSON Lines (one object with those keys per line) or a JSON list of them.",
)
