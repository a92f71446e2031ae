package main

import "fmt"

// checkMaxConns refuses a pool of no connections.
func checkMaxConns(n int) error {
	if n < 1 {
		return fmt.Errorf("--db-max-conns %d: want 1 or more", n)
	}
	return nil
}
