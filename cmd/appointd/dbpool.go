package main

import (
	"os"
	"strconv"
)

// envInt is env for an integer flag default; a value that is not a number
// is kept as -1 so that the flag's check names it as bad.
func envInt(name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}
