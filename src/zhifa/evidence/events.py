"""Ledger event codes of evidence (5000–5999). Codes are stable and never reused.

Entries about one case's evidence go to the case's stream (``case.stream``), so they are in the
case's hash chain and in its archive package; configuration (devices, retention classes,
recorded matters) goes to the stream ``evidence.config``; installation-wide scrubs to
``evidence.scrub``."""

from django.utils.translation import gettext_lazy as _

from zhifa.ledger.events import register_event

ITEM_CREATED = register_event(5001, "evidence.item_created",
                              _("Evidence {seq} recorded: {title}"))
ITEM_UPDATED = register_event(5002, "evidence.item_updated",
                              _("Evidence {seq} updated: {title}"))
FILE_UPLOADED = register_event(5003, "evidence.file_uploaded",
                               _("File uploaded: {filename} ({size} bytes, SM3 {sm3_short})"))
FILE_VIEWED = register_event(5004, "evidence.file_viewed", _("File viewed: {filename}"))
FILE_DOWNLOADED = register_event(5005, "evidence.file_downloaded",
                                 _("File downloaded: {filename}"))
SHARE_CREATED = register_event(5006, "evidence.share_created",
                               _("Evidence shared with {recipient} until {expires_at}"))
SHARE_REVOKED = register_event(5007, "evidence.share_revoked",
                               _("Share with {recipient} revoked"))
SHARE_ACCESSED = register_event(5008, "evidence.share_accessed",
                                _("Shared evidence opened by {recipient}: {filename}"))
RETENTION_CHANGED = register_event(5009, "evidence.retention_changed",
                                   _("Retention of {filename}: {retention}"))
HOLD_PLACED = register_event(5010, "evidence.hold_placed", _("Hold placed: {reason}"))
HOLD_RELEASED = register_event(5011, "evidence.hold_released", _("Hold released: {reason}"))
DISPOSAL_REQUESTED = register_event(5012, "evidence.disposal_requested",
                                    _("Disposal of {count} file(s) requested"))
DISPOSAL_DECIDED = register_event(5013, "evidence.disposal_decided",
                                  _("Disposal request {decision_label}"))
FILE_DISPOSED = register_event(5014, "evidence.file_disposed",
                               _("File disposed (tombstone): {filename}, SM3 {sm3_short}"))
SCRUB_RUN = register_event(5015, "evidence.scrub_run",
                           _("Stored files re-hashed: {checked} checked, {failed} failed"))
DEVICE_SAVED = register_event(5016, "evidence.device_saved",
                              _("Recording device {serial} saved"))
AV_PROBED = register_event(5017, "evidence.av_probed",
                           _("Audio/video analysed: {filename}, {duration_label}"))
MATTER_SAVED = register_event(5018, "evidence.recorded_matter_saved",
                              _("Recorded matter saved: {matter}"))
ARCHIVE_CREATED = register_event(5019, "evidence.archive_created",
                                 _("Case file archived as {number}"))
ARCHIVE_EXPORTED = register_event(5020, "evidence.archive_exported",
                                  _("Case-file package {number} exported"))
FILE_ATTACHED = register_event(5021, "evidence.file_attached",
                               _("File {filename} attached to evidence {seq}"))
AV_RECORD_SAVED = register_event(5022, "evidence.av_record_saved",
                                 _("Audio/video record details saved: {filename}"))
RETENTION_CLASS_SAVED = register_event(5023, "evidence.retention_class_saved",
                                       _("Retention class {code} saved"))
SCRUB_MISMATCH = register_event(5024, "evidence.scrub_mismatch",
                                _("Stored file failed its hash check: {filename} ({problem})"))
