package main

import (
	"fmt"
	"os"
	"strconv"
)

const maxConnsEnv = "APPOINTD_DB_MAX_CONNS"

// envInt is env for an integer flag default; a value that is not a number
// becomes -1, which checkMaxConns reports naming the variable.
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

// checkMaxConns refuses a pool of no connections, naming where the bad
// value came from.
func checkMaxConns(n int) error {
	if n >= 1 {
		return nil
	}
	if v := os.Getenv(maxConnsEnv); v != "" {
		if m, err := strconv.Atoi(v); err != nil || m == n {
			return fmt.Errorf("%s=%q (--db-max-conns): want a whole number, 1 or more", maxConnsEnv, v)
		}
	}
	return fmt.Errorf("--db-max-conns %d: want 1 or more", n)
}
