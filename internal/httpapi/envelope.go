package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"appointd/internal/booking"
)

// envelope is every JSON answer: {"success", "data", "meta"}. Errors on the
// location routes also carry the top-level "errors" object those pages
// document.
type envelope struct {
	Success bool         `json:"success"`
	Data    any          `json:"data"`
	Meta    any          `json:"meta"`
	Errors  *legacyError `json:"errors,omitempty"`
}

type legacyError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// metaKind is the empty meta a route answers with: [] or {}.
type metaKind int

const (
	metaArray metaKind = iota
	metaObject
)

func (k metaKind) empty() any {
	if k == metaObject {
		return struct{}{}
	}
	return []any{}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		slog.Error("encode response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"success":false,"data":null,"meta":{"message":"Internal server error."}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// errorMeta is meta of a failed answer.
type errorMeta struct {
	Message string               `json:"message"`
	Errors  []booking.FieldError `json:"errors,omitempty"`
}

// apiError is an error answer ready to write.
type apiError struct {
	status     int
	message    string
	errors     []booking.FieldError
	retryAfter int
}

// toAPIError maps the domain's errors to the statuses and messages of the
// API (1.6 and the decisions).
func toAPIError(err error) apiError {
	var v *booking.ValidationError
	var th *booking.ThrottledError
	var br *badRequest
	switch {
	case errors.Is(err, errCSRF):
		return apiError{status: http.StatusForbidden, message: "Missing or wrong CSRF token (send the page's token in X-CSRF-Token)."}
	case errors.As(err, &v):
		msg := "An error has occurred."
		if len(v.Errors) > 0 {
			msg = v.Errors[0].Message
		}
		return apiError{status: http.StatusUnprocessableEntity, message: msg, errors: v.Errors}
	case errors.As(err, &br):
		return apiError{status: http.StatusBadRequest, message: "Malformed request: " + br.msg,
			errors: []booking.FieldError{{Message: br.msg}}}
	case errors.As(err, &th):
		secs := int(th.RetryAfter.Seconds())
		return apiError{status: http.StatusTooManyRequests, message: "Too many login attempts.", retryAfter: secs}
	case errors.Is(err, errTooLarge):
		return apiError{status: http.StatusRequestEntityTooLarge, message: "Request body is too large (limit 1 MiB)."}
	case errors.Is(err, booking.ErrUnauthorized):
		return apiError{status: http.StatusUnauthorized, message: "Authentication needed."}
	case errors.Is(err, booking.ErrBadCredentials):
		return apiError{status: http.StatusUnauthorized, message: "Incorrect login or password."}
	case errors.Is(err, booking.ErrForbidden):
		return apiError{status: http.StatusForbidden, message: "Access denied."}
	case errors.Is(err, booking.ErrNotFound):
		return apiError{status: http.StatusNotFound, message: "Not found."}
	case errors.Is(err, booking.ErrUnavailable):
		return apiError{status: http.StatusServiceUnavailable, message: "The database is busy; retry shortly.", retryAfter: 2}
	case errors.Is(err, booking.ErrConflict):
		return apiError{status: http.StatusConflict, message: "Conflict with existing data."}
	}
	return apiError{status: http.StatusInternalServerError, message: "Internal server error."}
}

func writeError(w http.ResponseWriter, e apiError, legacy bool) {
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	env := envelope{Success: false, Data: nil, Meta: errorMeta{Message: e.message, Errors: e.errors}}
	if legacy && (e.status == http.StatusUnauthorized || e.status == http.StatusNotFound) {
		msg := "Not found"
		if e.status == http.StatusUnauthorized {
			msg = "Authentication needed"
		}
		env.Errors = &legacyError{Code: e.status, Message: msg}
	}
	writeJSON(w, e.status, env)
}
