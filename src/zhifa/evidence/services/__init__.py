from .av import av_record_init
from .items import evidence_item_create
from .store import blob_store, evidence_file_create

__all__ = ["av_record_init", "blob_store", "evidence_file_create", "evidence_item_create"]
