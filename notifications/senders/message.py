"""What a person reads (chat, email): a delivery's stored `message`, its link made absolute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    title: str
    lines: tuple[str, ...]
    link: str | None  # absolute, or None when there is none or no CATALOG_PUBLIC_URL to anchor it

    @classmethod
    def from_stored(cls, stored: dict[str, Any], public_url: str | None) -> Message:
        link = stored.get("link")
        return cls(
            title=str(stored.get("title") or "Service Catalog"),
            lines=tuple(str(line) for line in stored.get("lines") or ()),
            link=absolute_link(link, public_url) if isinstance(link, str) and link else None,
        )

    def plain_text(self) -> str:
        parts = [self.title, *self.lines]
        if self.link:
            parts.append(self.link)
        return "\n".join(parts)


def absolute_link(link: str, public_url: str | None) -> str | None:
    """A catalog path joined to the public URL; an absolute link kept."""
    if link.startswith(("https://", "http://")):
        return link
    if not public_url:
        return None
    return public_url.rstrip("/") + "/" + link.lstrip("/")
