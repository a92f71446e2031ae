// Package api embeds the OpenAPI contract that the server serves and the
// tests validate against.
package api

import _ "embed"

//go:embed openapi.yaml
var OpenAPI []byte
