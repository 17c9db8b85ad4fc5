"""Routing and validation for the local Google API server, taken from the discovery documents.

The documents are the ones google-api-python-client ships (``googleapiclient/discovery_cache/
documents``): the same files the connectors build their clients from. Every method the server
answers is looked up in them by HTTP method and path; its query parameters are checked against
the method's declared parameters (type, enum, repeated, required) and the API's standard ones;
request and response bodies are checked against the named schemas (properties, types, formats,
enums, and the ``annotations.required`` lists that name, per method, the fields a request must
carry). A field the schema does not declare is a violation, so the local server cannot answer
with anything the real API would not, and a client cannot send anything it would refuse.

Plain code, no pytest.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import googleapiclient

__all__ = ["DOCUMENTS", "Api", "Method", "load_document"]

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
_INT64 = re.compile(r"-?[0-9]{1,20}")
_UINT64 = re.compile(r"[0-9]{1,20}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_B64 = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")


def load_document(api: str, version: str) -> dict[str, Any]:
    """The discovery document of ``api`` ``version`` as shipped with the client library."""
    data: dict[str, Any] = json.loads((DOCUMENTS / f"{api}.{version}.json").read_text())
    return data


@dataclass(frozen=True)
class Method:
    """One API method: ``gmail.users.messages.get`` and what it takes and returns."""

    id: str
    http_method: str
    pattern: re.Pattern[str]
    parameters: dict[str, Any]
    request: str | None
    response: str | None
    scopes: frozenset[str]


@dataclass
class Api:
    """One discovery document: its methods by path, its schemas, its standard parameters."""

    document: dict[str, Any]
    methods: list[Method] = field(default_factory=list)

    @classmethod
    def load(cls, api: str, version: str) -> Api:
        doc = load_document(api, version)
        out = cls(doc)
        out._collect(doc.get("resources", {}))
        return out

    @property
    def name(self) -> str:
        return str(self.document["name"])

    @property
    def batch_path(self) -> str:
        return "/" + str(self.document["batchPath"]).strip("/")

    @property
    def schemas(self) -> dict[str, Any]:
        schemas: dict[str, Any] = self.document["schemas"]
        return schemas

    def _collect(self, resources: dict[str, Any]) -> None:
        prefix = "/" + str(self.document["servicePath"]).lstrip("/")
        for resource in resources.values():
            for method in resource.get("methods", {}).values():
                template = prefix + method["path"]
                regex = re.sub(
                    r"\{(\+?)([A-Za-z_]+)\}",
                    lambda m: f"(?P<{m.group(2)}>{'.+' if m.group(1) else '[^/]+'})",
                    template,
                )
                self.methods.append(
                    Method(
                        id=method["id"],
                        http_method=method["httpMethod"],
                        pattern=re.compile(regex + r"\Z"),
                        parameters=method.get("parameters", {}),
                        request=(method.get("request") or {}).get("$ref"),
                        response=(method.get("response") or {}).get("$ref"),
                        scopes=frozenset(method.get("scopes", ())),
                    )
                )
            self._collect(resource.get("resources", {}))

    def route(self, http_method: str, path: str) -> tuple[Method, dict[str, str]] | None:
        """The method serving ``http_method path`` and its path parameters, or None."""
        for method in self.methods:
            if method.http_method != http_method:
                continue
            found = method.pattern.match(path)
            if found:
                return method, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    # ------------------------------------------------------------------ parameters

    def check_query(
        self, method: Method, query: dict[str, list[str]]
    ) -> tuple[dict[str, Any], list[str]]:
        """Typed query parameters and the problems found (unknown, mistyped, missing)."""
        problems: list[str] = []
        values: dict[str, Any] = {}
        standard = self.document.get("parameters", {})
        for name, given in query.items():
            spec = method.parameters.get(name) or standard.get(name)
            if spec is None or spec.get("location", "query") != "query":
                problems.append(f"{method.id}: unknown query parameter {name!r}")
                continue
            if len(given) > 1 and not spec.get("repeated"):
                problems.append(f"{method.id}: parameter {name!r} given {len(given)} times")
            typed = [self._scalar(method.id, name, spec, v, problems) for v in given]
            values[name] = typed if spec.get("repeated") else typed[0]
        for name, spec in method.parameters.items():
            if spec.get("location") == "query" and spec.get("required") and name not in query:
                problems.append(f"{method.id}: required parameter {name!r} missing")
        return values, problems

    @staticmethod
    def _scalar(
        method_id: str, name: str, spec: dict[str, Any], raw: str, problems: list[str]
    ) -> Any:
        kind = spec.get("type")
        where = f"{method_id}: parameter {name}={raw!r}"
        if "enum" in spec and raw not in spec["enum"]:
            problems.append(f"{where} not one of {spec['enum']}")
        if kind == "integer":
            if not re.fullmatch(r"-?[0-9]+", raw):
                problems.append(f"{where} is not an integer")
                return None
            return int(raw)
        if kind == "boolean":
            if raw not in ("true", "false"):
                problems.append(f"{where} is not true/false")
            return raw == "true"
        fmt = spec.get("format")
        if fmt in ("int64", "uint64") and not _INT64.fullmatch(raw):
            problems.append(f"{where} is not a {fmt}")
        if fmt == "date-time" and not _is_datetime(raw):
            problems.append(f"{where} is not an RFC 3339 date-time")
        return raw

    # ------------------------------------------------------------------ bodies

    def check_body(self, ref: str, value: Any, method_id: str, direction: str) -> list[str]:
        """Problems of ``value`` against schema ``ref``: ``direction`` is "request" (required
        fields checked for ``method_id``) or "response"."""
        problems: list[str] = []
        self._check(
            {"$ref": ref}, value, f"{method_id} {direction} {ref}", method_id, direction, problems
        )
        return problems

    def _check(
        self,
        schema: dict[str, Any],
        value: Any,
        where: str,
        method_id: str,
        direction: str,
        problems: list[str],
    ) -> None:
        if "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        kind = schema.get("type")
        if kind == "any":
            return
        if kind == "object":
            if not isinstance(value, dict):
                problems.append(f"{where}: expected an object, got {type(value).__name__}")
                return
            properties = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for name, item in value.items():
                if name in properties:
                    self._check(
                        properties[name], item, f"{where}.{name}", method_id, direction, problems
                    )
                elif extra is not None:
                    self._check(extra, item, f"{where}[{name}]", method_id, direction, problems)
                else:
                    problems.append(f"{where}: unknown field {name!r}")
            if direction == "request":
                for name, prop in properties.items():
                    required = prop.get("annotations", {}).get("required", ())
                    if method_id in required and name not in value:
                        problems.append(f"{where}: required field {name!r} missing")
            return
        if kind == "array":
            if not isinstance(value, list):
                problems.append(f"{where}: expected an array, got {type(value).__name__}")
                return
            for n, item in enumerate(value):
                self._check(schema["items"], item, f"{where}[{n}]", method_id, direction, problems)
            return
        if kind == "boolean":
            if not isinstance(value, bool):
                problems.append(f"{where}: expected a boolean, got {value!r}")
            return
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{where}: expected an integer, got {value!r}")
            elif schema.get("format") == "int32" and not -(2**31) <= value < 2**31:
                problems.append(f"{where}: {value} out of int32 range")
            elif schema.get("format") == "uint32" and not 0 <= value < 2**32:
                problems.append(f"{where}: {value} out of uint32 range")
            return
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(f"{where}: expected a number, got {value!r}")
            return
        if kind == "string":
            self._check_string(schema, value, where, problems)
            return
        problems.append(f"{where}: schema type {kind!r} not understood by the local server")

    @staticmethod
    def _check_string(schema: dict[str, Any], value: Any, where: str, problems: list[str]) -> None:
        if not isinstance(value, str):
            problems.append(f"{where}: expected a string, got {value!r}")
            return
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{where}: {value!r} not one of {schema['enum']}")
        fmt = schema.get("format")
        if fmt == "int64" and not _INT64.fullmatch(value):
            problems.append(f"{where}: {value!r} is not an int64 string")
        elif fmt == "uint64" and not _UINT64.fullmatch(value):
            problems.append(f"{where}: {value!r} is not a uint64 string")
        elif fmt == "byte" and not _is_base64(value):
            problems.append(f"{where}: not base64 data")
        elif fmt == "date-time" and not _is_datetime(value):
            problems.append(f"{where}: {value!r} is not an RFC 3339 date-time")
        elif fmt == "date" and not _is_date(value):
            problems.append(f"{where}: {value!r} is not a yyyy-mm-dd date")


def _is_base64(value: str) -> bool:
    if not _B64.fullmatch(value):
        return False
    try:
        base64.urlsafe_b64decode(
            value.replace("+", "-").replace("/", "_") + "=" * (-len(value) % 4)
        )
    except (binascii.Error, ValueError):
        return False
    return True


def _is_datetime(value: str) -> bool:
    """RFC 3339: a full date, a time, and a zone (``Z`` or an offset)."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})", value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
