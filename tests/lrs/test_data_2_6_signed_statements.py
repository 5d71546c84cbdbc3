"""xAPI 1.0.3 Data 2.6 "Signed Statements": the LRS decodes the JWS, compares its payload with
the statement, verifies the RSA signature against the x5c certificate, and rejects malformed
signatures with 400. Keys: the example key and certificate of the spec's Appendix D, and keys
made here; every signature and certificate is made by the `cryptography` library, never by the
LRS's own code."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests.lrs.conftest import LrsClient, statement
from tests.lrs.test_comm_1_requests import multipart

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
# xAPI-Data.md Appendix D (public example material).
PRIVATE_KEY = """MIICXAIBAAKBgQDjxvZXF30WL4oKjZYXgR0ZyaX+u3y6+JqTqiNkFa/VTnet6Ly2
OT6ZmmcJEPnq3UnewpHoOQ+GfhhTkW13j06j5iNn4obcCVWTL9yXNvJH+Ko+xu4Y
l/ySPRrIPyTjtHdG0M2XzIlmmLqm+CAS+KCbJeH4tf543kIWC5pC5p3cVQIDAQAB
AoGAOejdvGq2XKuddu1kWXl0Aphn4YmdPpPyCNTaxplU6PBYMRjY0aNgLQE6bO2p
/HJiU4Y4PkgzkEgCu0xf/mOq5DnSkX32ICoQS6jChABAe20ErPfm5t8h9YKsTfn9
40lAouuwD9ePRteizd4YvHtiMMwmh5PtUoCbqLefawNApAECQQD1mdBW3zL0okUx
2pc4tttn2qArCG4CsEZMLlGRDd3FwPWJz3ZPNEEgZWXGSpA9F1QTZ6JYXIfejjRo
UuvRMWeBAkEA7WvzDBNcv4N+xeUKvH8ILti/BM58LraTtqJlzjQSovek0srxtmDg
5of+xrxN6IM4p7yvQa+7YOUOukrVXjG+1QJBAI2mBrjzxgm9xTa5odn97JD7UMFA
/WHjlMe/Nx/35V52qaav1sZbluw+TvKMcqApYj5G2SUpSNudHLDGkmd2nQECQFfc
lBRK8g7ZncekbGW3aRLVGVOxClnLLTzwOlamBKOUm8V6XxsMHQ6TE2D+fKJoNUY1
2HGpk+FWwy2D1hRGuoUCQAXfaLSxtaWdPtlZTPVueF7ZikQDsVg+vtTFgpuHloR2
6EVc1RbHHZm32yvGDY8IkcoMfJQqLONDdLfS/05yoNU="""
CERTIFICATE = "MIIDATCCAmqgAwIBAgIJAMB1csNuA6+kMA0GCSqGSIb3DQEBBQUAMHExCzAJBgNVBAYTAlVTMRIwEAYDVQQIEwlUZW5uZXNzZWUxGDAWBgNVBAoTD0V4YW1wbGUgQ29tcGFueTEQMA4GA1UEAxMHRXhhbXBsZTEiMCAGCSqGSIb3DQEJARYTZXhhbXBsZUBleGFtcGxlLmNvbTAeFw0xMzA0MDQxNTI4MzBaFw0xNDA0MDQxNTI4MzBaMIGWMQswCQYDVQQGEwJVUzESMBAGA1UECBMJVGVubmVzc2VlMREwDwYDVQQHEwhGcmFua2xpbjEYMBYGA1UEChMPRXhhbXBsZSBDb21wYW55MRAwDgYDVQQLEwdFeGFtcGxlMRAwDgYDVQQDEwdFeGFtcGxlMSIwIAYJKoZIhvcNAQkBFhNleGFtcGxlQGV4YW1wbGUuY29tMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDjxvZXF30WL4oKjZYXgR0ZyaX+u3y6+JqTqiNkFa/VTnet6Ly2OT6ZmmcJEPnq3UnewpHoOQ+GfhhTkW13j06j5iNn4obcCVWTL9yXNvJH+Ko+xu4Yl/ySPRrIPyTjtHdG0M2XzIlmmLqm+CAS+KCbJeH4tf543kIWC5pC5p3cVQIDAQABo3sweTAJBgNVHRMEAjAAMCwGCWCGSAGG+EIBDQQfFh1PcGVuU1NMIEdlbmVyYXRlZCBDZXJ0aWZpY2F0ZTAdBgNVHQ4EFgQUVs3v5afEdOeoYeVajAQE4v0WS1QwHwYDVR0jBBgwFoAUyVIc3yvra4EBz20I4BF39IAixBkwDQYJKoZIhvcNAQEFBQADgYEAgS/FF5D0Hnj44rvT6kgn3kJAvv2lj/fyjztKIrYS33ljXGn6gGyA4qtbXA23PrO4uc/wYCSDICDpPobh62xTCd9qObKhgwWOi05PSBLqUu3mwfAe15LJBJBqPVZ4K0kppePBU8m6aIZoH57L/9t4OoaL8yKs/qjKFeI1OFWZxvA="


def _appendix_key() -> rsa.RSAPrivateKey:
    key = serialization.load_der_private_key(base64.b64decode(PRIVATE_KEY), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jws(
    payload: dict,
    alg: str = "RS256",
    x5c: bool = True,
    tamper: bool = False,
    key: rsa.RSAPrivateKey | None = None,
    certificate: str = CERTIFICATE,
) -> bytes:
    """A JWS made by `cryptography` (OpenSSL), independent of the LRS's own code."""
    header = {"alg": alg} | ({"x5c": [certificate]} if x5c else {})
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    signer = key or _appendix_key()
    sig = signer.sign(signing_input.encode(), padding.PKCS1v15(), HASHES.get(alg, hashes.SHA256)())
    if tamper:
        sig = bytes([sig[0] ^ 1]) + sig[1:]
    return f"{signing_input}.{b64url(sig)}".encode()


def certificate_for(public_key: rsa.RSAPublicKey) -> str:
    """A self-issued X.509 certificate (base64 DER) for any RSA public key, signed by the
    Appendix D key: how an attacker would ship an oversized or odd key in x5c."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(_appendix_key(), hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def signed(lrs: LrsClient, payload: dict | None = None, st: dict | None = None, **kw: Any) -> Any:
    st = st or statement(id=str(uuid.uuid4()))
    token = jws(payload if payload is not None else st, **kw)
    att = {
        "usageType": SIGNATURE,
        "display": {"en-US": "Signature"},
        "contentType": "application/octet-stream",
        "length": len(token),
        "sha2": hashlib.sha256(token).hexdigest(),
    }
    body, ctype = multipart({**st, "attachments": [att]}, [(token, "application/octet-stream")])
    return lrs.post("statements", body, content_type=ctype)


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_a_well_signed_statement_is_accepted(lrs: LrsClient, alg: str) -> None:
    reply = signed(lrs, alg=alg)
    assert reply.status == 200, reply.text


def test_a_signature_without_certificate_is_checked_for_its_payload_only(lrs: LrsClient) -> None:
    assert signed(lrs, x5c=False).status == 200


def test_a_signature_that_does_not_verify_is_rejected(lrs: LrsClient) -> None:
    reply = signed(lrs, tamper=True)
    assert reply.status == 400 and "x5c" in reply.text


def test_a_payload_that_differs_from_the_statement_is_rejected(lrs: LrsClient) -> None:
    st = statement(id=str(uuid.uuid4()))
    other = {**st, "verb": {"id": "http://example.org/verbs/other"}}
    reply = signed(lrs, payload=other, st=st)
    assert reply.status == 400 and "differs" in reply.text


def test_other_algorithms_are_rejected(lrs: LrsClient) -> None:
    reply = signed(lrs, alg="HS256", x5c=False)
    assert reply.status == 400 and "RS256" in reply.text


def test_malformed_jws_and_wrong_content_type_are_rejected(lrs: LrsClient) -> None:
    st = statement(id=str(uuid.uuid4()))
    for token, ctype in ((b"not-a-jws", "application/octet-stream"), (jws(st), "text/plain")):
        att = {
            "usageType": SIGNATURE,
            "display": {"en-US": "Signature"},
            "contentType": ctype,
            "length": len(token),
            "sha2": hashlib.sha256(token).hexdigest(),
        }
        body, mp = multipart({**st, "attachments": [att]}, [(token, ctype)])
        assert lrs.post("statements", body, content_type=mp).status == 400


def test_a_payload_that_is_not_a_statement_is_rejected(lrs: LrsClient) -> None:
    assert signed(lrs, payload={"hello": "world"}).status == 400


def test_a_fresh_2048_bit_key_and_certificate_verify(lrs: LrsClient) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    st = statement(id=str(uuid.uuid4()))
    reply = signed(lrs, st=st, key=key, certificate=certificate_for(key.public_key()))
    assert reply.status == 200, reply.text
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    reply = signed(lrs, st=st, key=other, certificate=certificate_for(key.public_key()))
    assert reply.status == 400 and "does not verify" in reply.text


def _odd(bits: int) -> int:
    """An odd number of exactly `bits` bits: a modulus nobody can sign for (no key needed)."""
    return int.from_bytes(b"\xc5" * (bits // 8), "big") | 1


@pytest.mark.parametrize("bits", [4104, 8192, 16384])
def test_keys_over_4096_bits_are_refused_before_any_rsa_arithmetic(
    lrs: LrsClient, bits: int
) -> None:
    """Issue 12 (High): a 16,384-bit x5c key cost 10 s of CPU with the GIL held."""
    big = rsa.RSAPublicNumbers(65537, _odd(bits)).public_key()
    st = statement(id=str(uuid.uuid4()))
    token = jws(st, certificate=certificate_for(big))
    header, payload, _ = token.split(b".")
    forged = header + b"." + payload + b"." + b64url(b"\x01" * (bits // 8)).encode()
    reply = _post_token(lrs, st, forged)
    assert reply.status == 400, reply.text
    assert f"{bits} bits" in reply.text and "4096" in reply.text


@pytest.mark.parametrize("exponent", [5, 2**31 + 11, 2**64 + 1])
def test_unusual_public_exponents_are_refused(lrs: LrsClient, exponent: int) -> None:
    n = _appendix_key().public_key().public_numbers().n
    odd = rsa.RSAPublicNumbers(exponent, n).public_key()
    st = statement(id=str(uuid.uuid4()))
    reply = _post_token(lrs, st, jws(st, certificate=certificate_for(odd)))
    assert reply.status == 400, reply.text
    assert "exponent" in reply.text


def _post_token(lrs: LrsClient, st: dict, token: bytes) -> object:
    att = {
        "usageType": SIGNATURE,
        "display": {"en-US": "Signature"},
        "contentType": "application/octet-stream",
        "length": len(token),
        "sha2": hashlib.sha256(token).hexdigest(),
    }
    body, ctype = multipart({**st, "attachments": [att]}, [(token, "application/octet-stream")])
    return lrs.post("statements", body, content_type=ctype)
