package booking

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

var (
	// ErrNotFound: the thing does not exist, or the caller may not know it does.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: no valid credentials for this action.
	ErrUnauthorized = errors.New("authentication needed")
	// ErrForbidden: the caller sees the location but lacks the permission.
	ErrForbidden = errors.New("access denied")
	// ErrBadCredentials: wrong login or password.
	ErrBadCredentials = errors.New("incorrect login or password")
	// ErrConflict: a unique value is already taken (store level).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the database refused a connection or none was free
	// in time; the same request may succeed a moment later.
	ErrUnavailable = errors.New("database unavailable")
)

// ThrottledError refuses a login attempt until RetryAfter has passed.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many login attempts; retry after %s", e.RetryAfter)
}

// FieldError is one problem with one input field.
type FieldError struct {
	Code    int    `json:"code,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ValidationError is bad input: the request changes nothing.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Message
	}
	return strings.Join(parts, "; ")
}

// Add records a problem with field.
func (e *ValidationError) Add(field, format string, args ...any) {
	e.Errors = append(e.Errors, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns e as an error if it holds any problem, else nil.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Errors) == 0 {
		return nil
	}
	return e
}

// Invalid is a one-field validation error.
func Invalid(field, format string, args ...any) error {
	v := &ValidationError{}
	v.Add(field, format, args...)
	return v
}
