"""Password hashing with scrypt (memory-hard, in the standard library)."""
import base64
import hashlib
import hmac
import os

# n=2**14, r=8 -> 16 MiB of memory per hash: costly to brute-force, fine for a Lambda.
_N, _R, _P, _LEN = 2**14, 8, 1, 32
_MAXMEM = 64 * 1024 * 1024


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=_LEN, maxmem=_MAXMEM)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _derive(password, salt, _N, _R, _P)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check. With no stored hash, still spends the same work (no timing oracle)."""
    if not stored:
        _derive(password, b"\0" * 16, _N, _R, _P)
        return False
    _, n, r, p, salt, digest = stored.split("$")
    candidate = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, base64.b64decode(digest))
