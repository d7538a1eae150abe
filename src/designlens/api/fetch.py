"""Fetching image URLs without becoming a proxy into the server's own network (SSRF).

Only http and https. The host is resolved and every address checked: loopback, private,
link-local, multicast, reserved and cloud-metadata ranges are refused unless the
allow-list names them. The request then goes to the checked address itself (the name is
kept in Host and TLS SNI), so a DNS answer that changes between check and connect cannot
slip through. Redirects are followed by hand and each hop is checked again; there is a
timeout, a size cap and a content-type check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from designlens.api.problems import Problem
from designlens.api.settings import Limits, Network
from designlens.api.uploads import Upload

if TYPE_CHECKING:
    import httpx2

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges not covered by ipaddress's is_private/is_link_local/...: carrier-grade NAT (where
# some clouds put their metadata service) and the IPv6 metadata address of AWS.
EXTRA_BLOCKED = (
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("fd00:ec2::254/128"),
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("198.18.0.0/15"),
)


def blocked_reason(address: Address, allow: Sequence[Network]) -> str | None:
    """Why `address` may not be fetched from, or None when it may."""
    if any(address in net for net in allow):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return blocked_reason(address.ipv4_mapped, allow)
    checks = (
        ("loopback", address.is_loopback),
        ("link-local (cloud metadata)", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("private", any(address in net for net in EXTRA_BLOCKED)),
    )
    for name, hit in checks:
        if hit:
            return f"{name} address {address}"
    return None


async def resolve(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Problem(422, f"cannot resolve host {host!r} ({exc})") from None
    seen: dict[str, Address] = {}
    for info in infos:
        raw = str(info[4][0]).split("%")[0]
        seen.setdefault(raw, ipaddress.ip_address(raw))
    return list(seen.values())


async def check_url(url: str, allow: Sequence[Network]) -> tuple[str, Address]:
    """Validate scheme and host; returns the host name and the checked address to connect to."""
    parts = urlsplit(url)
    url = url or "(empty URL)"
    if parts.scheme not in ("http", "https"):
        scheme = parts.scheme or "no scheme"
        raise Problem(422, f"{url}: only http and https URLs are fetched, not {scheme!r}")
    host = parts.hostname
    if not host:
        raise Problem(422, f"{url}: the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Problem(422, f"{url}: the URL's port is not a number in 0..65535") from None
    addresses = await resolve(host, port)
    if not addresses:
        raise Problem(422, f"{url}: host {host!r} has no address")
    for address in addresses:  # every one: a name may resolve to a public and a private address
        reason = blocked_reason(address, allow)
        if reason is not None:
            raise Problem(
                422, f"{url}: host {host!r} resolves to a {reason}; refused (not on the URL allow-list)"
            )
    return host, addresses[0]


def _pinned(url: str, address: Address) -> str:
    """`url` with its host replaced by the checked address."""
    parts = urlsplit(url)
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    netloc = literal + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _name_from(url: str, content_type: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    name = path.rsplit("/", 1)[-1] if path else ""
    if "." not in name:
        ext = content_type.split("/", 1)[-1].split(";")[0].strip() or "img"
        name = f"{name or urlsplit(url).hostname or 'image'}.{'jpg' if ext == 'jpeg' else ext}"
    return name


async def fetch_image(
    client: httpx2.AsyncClient, url: str, limits: Limits, allow: Sequence[Network]
) -> Upload:
    """Download one image; Problem 422 (refused, failed, not an image) or 413 (too big)."""
    import httpx2

    current = url
    for _ in range(limits.max_redirects + 1):
        host, address = await check_url(current, allow)
        parts = urlsplit(current)
        host_header = parts.netloc.rsplit("@", 1)[-1]
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        request = client.build_request(
            "GET", _pinned(current, address), headers={"Host": host_header, "Accept": "image/*"},
            extensions=extensions,
        )
        try:
            response = await client.send(request, stream=True)
        except httpx2.TimeoutException:
            raise Problem(422, f"{url}: timed out after {limits.url_timeout:g} s") from None
        except httpx2.HTTPError as exc:
            raise Problem(422, f"{url}: cannot fetch ({type(exc).__name__}: {exc})") from None
        try:
            if response.is_redirect:
                location = response.headers.get("location", "")
                if not location:
                    raise Problem(422, f"{url}: redirect without a Location header")
                current = urljoin(current, location)
                continue
            if response.status_code != 200:
                raise Problem(422, f"{url}: the server answered {response.status_code}")
            content_type = response.headers.get("content-type", "").lower()
            if not content_type.startswith("image/"):
                raise Problem(422, f"{url}: content type is {content_type or 'missing'!r}, not an image")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_url_bytes:
                cap = limits.max_url_bytes
                raise Problem(413, f"{url}: {int(declared):,} bytes, over the limit of {cap:,}")
            chunks: list[bytes] = []
            size = 0
            try:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limits.max_url_bytes:
                        raise Problem(413, f"{url}: over the limit of {limits.max_url_bytes:,} bytes")
                    chunks.append(chunk)
            except httpx2.TimeoutException:
                raise Problem(422, f"{url}: timed out after {limits.url_timeout:g} s") from None
            except httpx2.HTTPError as exc:
                raise Problem(422, f"{url}: download failed ({type(exc).__name__}: {exc})") from None
            return Upload(_name_from(current, content_type), b"".join(chunks))
        finally:
            await response.aclose()
    raise Problem(422, f"{url}: more than {limits.max_redirects} redirects")


async def fetch_all(urls: Sequence[str], limits: Limits, allow: Sequence[Network]) -> list[Upload]:
    """Fetch every URL (a few at a time); the first failure is raised and names its URL."""
    import httpx2

    timeout = httpx2.Timeout(limits.url_timeout)
    gate = asyncio.Semaphore(4)
    async with httpx2.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:

        async def one(u: str) -> Upload:
            async with gate:
                return await asyncio.wait_for(fetch_image(client, u, limits, allow), limits.url_timeout * 3)

        try:
            return list(await asyncio.gather(*(one(u) for u in urls)))
        except TimeoutError:
            raise Problem(422, f"fetching the URLs took longer than {limits.url_timeout * 3:g} s") from None
