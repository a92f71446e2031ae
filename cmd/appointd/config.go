package main

import (
	"appointd/internal/store"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	_ "time/tzdata" // zone data inside the binary: it runs without /usr/share/zoneinfo
)

// helpShown is returned by parse when --help or -h was given; run prints
// the command's flags to stdout and exits 0.
type helpShown struct{ fs *flag.FlagSet }

func (h helpShown) Error() string { return "help requested" }

// envName is the environment variable mirroring a flag.
func envName(flagName string) string {
	return "APPOINTD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// fromEnv sets every flag not given on the command line from its variable.
func fromEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		v, ok := os.LookupEnv(envName(f.Name))
		if err != nil || given[f.Name] || !ok || v == "" {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, e)
		}
	})
	return err
}

// printFlags lists a command's flags with their variables and defaults.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Flags of appointd %s (each also read from its environment variable; the command line wins):\n", fs.Name())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		def := f.DefValue
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(tw, "  --%s\t%s\tdefault %s\t%s\n", f.Name, envName(f.Name), def, f.Usage)
	})
	tw.Flush()
}

// enum refuses a value outside the allowed set.
func enum(flagName, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return fmt.Errorf("--%s %q: must be one of %s", flagName, value, strings.Join(allowed, ", "))
}

// version describes the build from the module's build info.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "appointd (no build info)"
	}
	s := "appointd " + bi.Main.Version
	settings := map[string]string{}
	for _, kv := range bi.Settings {
		settings[kv.Key] = kv.Value
	}
	for _, k := range []string{"vcs.revision", "vcs.time", "vcs.modified"} {
		if v := settings[k]; v != "" {
			s += " " + k + "=" + v
		}
	}
	return s + " " + bi.GoVersion
}

var errMissingCommand = errors.New("missing command")

// checkDB validates --db before connecting. It returns the SQLite path when
// the file does not exist yet (it will be created), "" otherwise.
func checkDB(dsn string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", nil
	}
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		if i := strings.Index(dsn, ":"); i > 0 && !strings.ContainsAny(dsn[:i], `/\.`) {
			return "", fmt.Errorf("--db %q: unknown scheme %q (use sqlite:PATH or a postgres:// URL)", dsn, dsn[:i+1])
		}
	}
	if path == "" {
		return "", fmt.Errorf("--db %q: empty SQLite path", dsn)
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return "", fmt.Errorf("--db %q: %s is a directory", dsn, path)
	case err == nil:
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return "", fmt.Errorf("--db %q: %v", dsn, err)
		}
		f.Close()
		return "", nil
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("--db %q: %v", dsn, err)
	}
	dir := filepath.Dir(path)
	if di, err := os.Stat(dir); err != nil || !di.IsDir() {
		return "", fmt.Errorf("--db %q: directory %s does not exist", dsn, dir)
	}
	return path, nil
}

// openStore validates dsn, says when a new SQLite file will be created, and
// connects.
func openStore(ctx context.Context, dsn string, o store.Options) (*store.Store, error) {
	fresh, err := checkDB(dsn)
	if err != nil {
		return nil, err
	}
	if fresh != "" {
		fmt.Fprintf(os.Stderr, "appointd: creating new database at %s\n", fresh)
	}
	return store.Open(ctx, dsn, o)
}
