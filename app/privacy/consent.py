"""The consent text people agree to; bump the version whenever the text in the template changes."""

DATA_PROCESSING = "data_processing"
CONSENT_VERSION = "2026-11-01"
