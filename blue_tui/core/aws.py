"""boto3 clients for DynamoDB and KMS: one cached, thread-safe client per endpoint.

The same code serves AWS, DynamoDB Local and moto's server; only the endpoint
differs. On loopback endpoints without configured credentials, dummy ones are
used so that nothing goes looking for real AWS credentials.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from blue_tui.core.config import Settings, is_loopback

_client_lock = threading.Lock()
_clients: dict[tuple[str, str | None, str], Any] = {}


def _client_config(local: bool) -> botocore.config.Config:
    return botocore.config.Config(
        connect_timeout=2 if local else 5,
        read_timeout=30,
        retries={"max_attempts": 2 if local else 5, "mode": "standard"},
        max_pool_connections=32,
        tcp_keepalive=True,
    )


def _session(settings: Settings, local: bool) -> boto3.session.Session:
    env = settings.env
    has_creds = bool(env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_PROFILE"))
    if local and not has_creds:
        # DynamoDB Local (letters and digits only) and moto accept any credentials;
        # do not go looking for real ones.
        return boto3.session.Session(
            aws_access_key_id="bluelocal",
            aws_secret_access_key="bluelocal",  # noqa: S106 (loopback dummy, not a secret)
            region_name=settings.aws_region,
        )
    return boto3.session.Session(region_name=settings.aws_region)


def dynamodb_client(settings: Settings) -> Any:
    """A cached, thread-safe low-level DynamoDB client for the configured endpoint."""
    key = ("dynamodb", settings.dynamodb_endpoint, settings.aws_region)
    with _client_lock:
        client = _clients.get(key)
        if client is None:
            local = settings.endpoint_is_local
            client = _session(settings, local).client(
                "dynamodb", endpoint_url=settings.dynamodb_endpoint, config=_client_config(local)
            )
            _clients[key] = client
        return client


def kms_client(settings: Settings) -> Any:
    key = ("kms", settings.kms_endpoint, settings.aws_region)
    with _client_lock:
        client = _clients.get(key)
        if client is None:
            local = is_loopback(settings.kms_endpoint)
            client = _session(settings, local).client(
                "kms", endpoint_url=settings.kms_endpoint, config=_client_config(local)
            )
            _clients[key] = client
        return client


def error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""
