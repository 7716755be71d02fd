"""CDS Hooks 2.0 service: owm's clonazepam advice and the opioid-benzodiazepine warning in the EHR.

`cds_router(config, record_feedback=...)` gives the FastAPI router (mounted at the
application root): discovery at `GET /cds-services`, the services
`owm-order-select`, `owm-order-sign` and `owm-patient-view`, and their feedback
endpoints. `cds_config_from_env()` reads the trusted EHRs and settings
(`config`); `audit_recorder(uow)` stores feedback in the audit trail.
"""

from owm.cds.config import CdsConfig, ClientConfig, ConfigError, cds_config_from_env
from owm.cds.feedback import FeedbackRecord, FeedbackRecorder, audit_recorder
from owm.cds.router import SERVICES, cds_router

__all__ = [
    "SERVICES",
    "CdsConfig",
    "ClientConfig",
    "ConfigError",
    "FeedbackRecord",
    "FeedbackRecorder",
    "audit_recorder",
    "cds_config_from_env",
    "cds_router",
]
