"""The guarded document reader, as the HTTP adapters reach it.

Every entrance reads JSON the same way (clinical spec section 8); the reader lives
with the core (`owm.clinical.document`) and the HTTP layer, which only talks to the
service layer, gets it here.
"""

from owm.clinical.document import MAX_BYTES, DocumentError, read_document

__all__ = ["MAX_BYTES", "DocumentError", "read_document"]
