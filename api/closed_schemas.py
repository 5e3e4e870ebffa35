"""Request bodies that refuse unknown fields say so in the OpenAPI (``additionalProperties:
false``), so a client generated from the schema, or a fuzzer driven by it, knows before sending
that an extra field is a 400."""

from __future__ import annotations

from typing import TYPE_CHECKING

# Litestar's own plugin for msgspec structs (not re-exported publicly; the version is pinned).
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """The struct plugin, plus ``additionalProperties: false`` where the struct forbids unknown
    fields (an app's plugins come before Litestar's own, so this one is asked first)."""

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        config = getattr(field_definition.type_, "__struct_config__", None)
        if isinstance(schema, Schema) and config is not None and config.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


__all__ = ["ClosedStructSchemaPlugin"]
