"""The API's own request and response bodies, one module per context, apart from the domain's."""
