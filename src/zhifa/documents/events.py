"""Ledger event codes of documents (6000–6999). Codes are stable and never reused.

Entries about one case's documents and their service go to the case's stream (``case.stream``):
they are in the case's hash chain and its archive package. Templates, number patterns, serial
books and profiles go to the stream ``documents.config``."""

from django.utils.translation import gettext_lazy as _

from zhifa.ledger.events import register_event

CONFIG_STREAM = "documents.config"

DOCUMENT_DRAFTED = register_event(6001, "document.drafted", _("Document drafted: {title}"))
DOCUMENT_UPDATED = register_event(6002, "document.updated", _("Draft updated: {title}"))
DOCUMENT_ISSUED = register_event(6003, "document.issued",
                                 _("Document issued: {title} {number}"))
DOCUMENT_VOIDED = register_event(6004, "document.voided",
                                 _("Document voided: {title} {number}: {reason}"))
DOCUMENT_SERVED = register_event(6005, "document.served",
                                 _("Document served: {title} {number} ({method_label})"))
SERVICE_DEEMED = register_event(6006, "document.service_deemed",
                                _("Service by announcement complete: {title} {number}"))
TEMPLATE_UPLOADED = register_event(6007, "document.template_uploaded",
                                   _("Template uploaded: {doc_type} v{version}"))
TEMPLATE_STATE_CHANGED = register_event(6008, "document.template_state",
                                        _("Template {doc_type} v{version}: {state_label}"))
PATTERN_SAVED = register_event(6009, "document.number_pattern_saved",
                               _("Number pattern for {doc_type}: {pattern}"))
SERIAL_BOOK_SAVED = register_event(6010, "document.serial_book_saved",
                                   _("Serial book registered: {first}–{last}"))
SERIAL_VOIDED = register_event(6011, "document.serial_voided",
                               _("Form serial voided: {serial}: {reason}"))
SERIAL_USED = register_event(6012, "document.serial_used", _("Form serial used: {serial}"))
PROFILE_SAVED = register_event(6013, "document.profile_saved",
                               _("Document profile saved"))
DOCUMENT_DOWNLOADED = register_event(6014, "document.downloaded",
                                     _("Document downloaded: {title} {number} ({format})"))
