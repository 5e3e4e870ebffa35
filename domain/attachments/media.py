"""What an attachment is: its kind (what it is to the appeal) and its media type, told from its
first bytes (never from the name or the type a client claims), among the types allowed."""

from __future__ import annotations

from enum import StrEnum

import filetype

# filetype reads at most this many bytes of a file's head: the part a stream keeps to sniff.
SNIFF_BYTES = 8192


class AttachmentKind(StrEnum):
    PHOTO = "photo"  # a photo of the problem
    SCAN = "scan"  # a scanned letter or document
    RECORDING = "recording"  # a call's or a voice message's recording
    ANSWER = "answer"  # the signed answer as sent


# The media types an attachment may have, with the extension a download is named with. What a
# control centre receives and sends: photos (HEIC: iPhones' default), scans (PDF, TIFF), call
# and voice recordings (Ogg/Opus, MP3, WAV), answers (PDF, DOCX). Nothing a browser runs or an
# office suite runs macros from (HTML, SVG, DOCM, executables, archives).
ALLOWED: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/tiff": "tif",
    "application/pdf": "pdf",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/x-wav": "wav",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


def sniff(head: bytes) -> str | None:
    """The media type the bytes ``head`` (a file's first ``SNIFF_BYTES``) begin, if known."""
    if not head:
        return None
    found = filetype.guess(head[:SNIFF_BYTES])
    return None if found is None else str(found.mime)


def allowed_type(head: bytes) -> str | None:
    """The sniffed media type if it is one attachments may have, else None."""
    media_type = sniff(head)
    return media_type if media_type in ALLOWED else None


def download_name(sha256: str, media_type: str) -> str:
    """The name a download gets: the content's address and the type's extension (the name the
    file came with is not kept: it often names the citizen)."""
    return f"{sha256[:16]}.{ALLOWED.get(media_type, 'bin')}"
