"""Files attached to a case, kept in the database or a shared folder and handed out only to people who may
see the case."""
from .files import (
    ALLOWED_TYPES,
    INLINE_TYPES,
    AttachmentRefused,
    AttachmentView,
    content_of,
    delete_attachment,
    detect_type,
    link_pending,
    list_attachments,
    parts_of,
    referenced,
    store_attachment,
    view_of,
    visible_attachment,
)
from .moving import MoveReport, move_attachments
from .storage import CHUNK_BYTES, DATABASE, FOLDER, STORAGES, path_of

__all__ = ["ALLOWED_TYPES", "CHUNK_BYTES", "DATABASE", "FOLDER", "INLINE_TYPES", "STORAGES",
           "AttachmentRefused", "AttachmentView", "MoveReport", "content_of", "delete_attachment",
           "detect_type", "link_pending", "list_attachments", "move_attachments", "parts_of", "path_of",
           "referenced",
           "store_attachment", "view_of", "visible_attachment"]
