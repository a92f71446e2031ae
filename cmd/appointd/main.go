// Command appointd is the appointd server and its admin commands. It wires
// configuration to the store, the booking service and the HTTP server; it
// holds no business logic.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"appointd/api"
	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/store"
	"appointd/internal/web"
	"appointd/internal/webhook"
)

const usage = `appointd — a self-hostable server for the Altegio Business Management API v1

Usage:
  appointd serve [--addr 127.0.0.1:8080] [--db sqlite:appointd.db|postgres://...] [--demo]
  appointd migrate [--db ...]
  appointd backup PATH [--db sqlite:...]   (a consistent copy of a live SQLite database)
  appointd partner create NAME [--db ...]
  appointd partner list [--db ...]   (id, creation time and name; never the token)
  appointd partner revoke ID [--db ...]   (its token and its users' sessions stop working; the row stays)
  appointd user create --login L --password P --name N [--db ...]
  appointd user grant LOGIN LOCATION_ID ROLE [--db ...]
  appointd user list [--db ...]   (id, login, name and role per location; never passwords or tokens)
  appointd user passwd LOGIN [--password P] [--db ...]   (reads the password from stdin without --password)
  appointd ical rotate LOCATION_ID TEAM_MEMBER_ID [--base-url URL] [--db ...]   (prints a new calendar feed URL)
  appointd ical off LOCATION_ID TEAM_MEMBER_ID [--db ...]
  appointd webhook add LOCATION_ID URL [--db ...]   (switches webhooks on; prints the signing secret)
  appointd webhook list LOCATION_ID [--all] [--db ...]   (settings, pending and failed deliveries)
  appointd webhook retry LOCATION_ID [--id N] [--db ...]   (failed deliveries, or only N, are sent again)
  appointd healthcheck [--url http://127.0.0.1:8080/healthz]   (exit 0 when the server answers 200; for containers)
  appointd version
  appointd COMMAND --help   (that command's flags)

Environment: every flag --NAME-X is also read from APPOINTD_NAME_X (e.g. APPOINTD_DB,
APPOINTD_SHUTDOWN_GRACE); a flag on the command line wins over its variable.
`

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "appointd:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errMissingCommand
	}
	err := dispatch(args, stdin, stdout)
	var h helpShown
	if errors.As(err, &h) {
		printFlags(stdout, h.fs)
		return nil
	}
	return err
}

func dispatch(args []string, stdin io.Reader, stdout io.Writer) error {
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(rest, stdout)
	case "migrate":
		return migrate(rest, stdout)
	case "backup":
		return backup(rest, stdout)
	case "partner":
		return partner(rest, stdout)
	case "user":
		return user(rest, stdin, stdout)
	case "ical":
		return icalFeed(rest, stdout)
	case "webhook":
		return webhookCmd(rest, stdout)
	case "healthcheck":
		return healthcheck(rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout)
		return serve([]string{"--help"}, stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, version())
		return nil
	default:
		return fmt.Errorf("unknown command %q (try appointd help)", cmd)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// common are the flags every command has.
type common struct {
	db string
}

func newFlags(name string) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {} // --help is printed by run, to stdout
	c := &common{}
	fs.StringVar(&c.db, "db", env("APPOINTD_DB", "sqlite:appointd.db"), "database: sqlite:PATH or a postgres:// URL")
	return fs, c
}

// parse allows flags before, between and after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, helpShown{fs}
			}
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, fromEnv(fs)
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// open connects and migrates.
func open(ctx context.Context, dsn string, o store.Options) (*store.Store, error) {
	st, err := openStore(ctx, dsn, o)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// limits are the server's transport timeouts; with maxHeaderBytes and the
// 1 MiB body limit of httpapi they bound what one slow or large client can
// hold.
type limits struct {
	readHeader, read, write, idle time.Duration
}

const maxHeaderBytes = 64 << 10

func serve(args []string, stdout io.Writer) error {
	fs, c := newFlags("serve")
	addr := fs.String("addr", env("APPOINTD_ADDR", "127.0.0.1:8080"), "listen address")
	seed := fs.Bool("demo", false, "seed demo data into an empty database")
	week := fs.Bool("demo-week", true, "with --demo: also book a week of appointments from today (for the calendar)")
	logFormat := fs.String("log-format", env("APPOINTD_LOG_FORMAT", "text"), "log format: text or json")
	idle := fs.Duration("session-idle-timeout", 0, "expire user tokens unused for this long (0 = never)")
	grace := fs.Duration("shutdown-grace", 15*time.Second, "how long in-flight requests may run after SIGTERM")
	xff := fs.Bool("trust-forwarded-for", false, "take the client IP from X-Forwarded-For and TLS from X-Forwarded-Proto (behind a proxy only)")
	pprofAddr := fs.String("pprof-addr", "", "serve net/http/pprof on this address (loopback; off by default)")
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics and /debug/pprof/ on this address instead of /metrics on the API listener (off by default)")
	rateLimit := fs.String("rate-limit", env("APPOINTD_RATE_LIMIT", "off"), "requests per client IP: off, altegio (5/s,200/m) or N/s,M/m")
	baseURL := fs.String("base-url", env("APPOINTD_BASE_URL", ""), "how clients reach this server, e.g. https://book.example (calendar feed URLs; default: from each request)")
	maxConns := fs.Int("db-max-conns", store.DefaultMaxConns, "PostgreSQL connections this process may hold (SQLite ignores it)")
	gcPercent := fs.Int("gc-percent", 400, "Go GC target (GOGC); ignored when the GOGC environment variable is set")
	var lim limits
	fs.DurationVar(&lim.readHeader, "read-header-timeout", 10*time.Second, "time allowed to send the request headers")
	fs.DurationVar(&lim.read, "read-timeout", 30*time.Second, "time allowed to send the whole request")
	fs.DurationVar(&lim.write, "write-timeout", 60*time.Second, "time allowed to handle a request and write its answer")
	fs.DurationVar(&lim.idle, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	var hookOpts webhook.Options
	fs.BoolVar(&hookOpts.AllowPrivate, "webhook-allow-loopback", env("APPOINTD_WEBHOOK_ALLOW_LOOPBACK", "") == "1" ||
		env("APPOINTD_WEBHOOK_ALLOW_LOOPBACK", "") == "true", "deliver webhooks to loopback, private and this host's own addresses too")
	fs.DurationVar(&hookOpts.Timeout, "webhook-timeout", 10*time.Second, "time allowed for one webhook delivery")
	fs.IntVar(&hookOpts.MaxAttempts, "webhook-max-attempts", 8, "attempts before a webhook delivery is marked failed")
	fs.DurationVar(&hookOpts.Backoff, "webhook-backoff", 10*time.Second, "wait after a failed delivery; doubles after each further failure (up to 1h)")
	fs.DurationVar(&hookOpts.Poll, "webhook-poll", time.Second, "how often to look for webhook deliveries queued by other processes")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	rl, err := httpapi.ParseRateLimit(*rateLimit)
	if err != nil {
		return fmt.Errorf("--rate-limit: %w", err)
	}
	if err := enum("log-format", *logFormat, "text", "json"); err != nil {
		return err
	}
	// The live heap is a few MB, so Go's default GOGC=100 collects after
	// every few hundred requests; the profile of GET one appointment spent
	// about a fifth of its CPU in GC and returning memory (BENCHMARKS.md).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(*gcPercent)
	}
	var handler slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if *logFormat == "json" {
		handler = slog.NewJSONHandler(os.Stderr, nil)
	}
	logger := slog.New(handler)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	metrics := httpapi.NewMetrics()
	if err := checkMaxConns(*maxConns); err != nil {
		return err
	}
	// Bind first: a busy port fails before the database is touched.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	st, err := open(ctx, c.db, store.Options{ObserveTx: metrics.ObserveTx, MaxConns: *maxConns})
	if err != nil {
		return err
	}
	defer st.Close()
	metrics.WatchPool(st.PoolStats, st.Engine() == "sqlite")
	var worker *webhook.Worker
	svc := booking.NewService(st, booking.Options{SessionIdleTimeout: *idle, Hooks: httpapi.Hooks{},
		HookWritten: func() { worker.Wake() }, HookAllowLocal: hookOpts.AllowPrivate})
	hookOpts.Logger = logger
	worker = webhook.New(svc, hookOpts)
	wctx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		worker.Run(wctx)
	}()
	// Deliveries under way finish (each within --webhook-timeout) before
	// the store closes.
	defer func() {
		stopWorker()
		<-workerDone
	}()
	if *seed {
		res, err := demo.Seed(ctx, svc, time.Now())
		if err != nil {
			return err
		}
		if res.Seeded {
			n := 0
			if *week {
				if n, err = demo.SeedWeek(ctx, svc, res, time.Now()); err != nil {
					return err
				}
			}
			logger.Info("demo data seeded", "location_id", res.LocationID, "appointments", n)
		}
	}
	metrics.WatchOutbox(svc.WebhookOutbox, time.Now)
	ready := startReadiness(svc)
	defer ready.stop()
	srv := &http.Server{
		Handler: httpapi.NewServer(httpapi.Deps{Service: svc, Logger: logger, Metrics: metrics, Readiness: ready.Readiness,
			MetricsElsewhere: *metricsAddr != "", OpenAPI: api.OpenAPI, TrustForwardedFor: *xff, RateLimit: rl, BaseURL: *baseURL,
			Web: web.New(web.Deps{Service: svc, Logger: logger, TrustProxy: *xff})}),
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		defer mln.Close()
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics.Handler())
		mux.Handle("/debug/pprof/", http.DefaultServeMux) // the pprof handlers
		go func() { _ = http.Serve(mln, mux) }()
		logger.Info("metrics listening", "addr", mln.Addr().String())
	}
	if *pprofAddr != "" {
		go func() {
			// The default mux holds only the pprof handlers.
			logger.Info("pprof listening", "addr", *pprofAddr, "err", http.ListenAndServe(*pprofAddr, nil))
		}()
	}
	logger.Info("appointd listening", "addr", ln.Addr().String(), "engine", st.Engine(),
		"rate_limit", rl.String(), "webhook_allow_loopback", hookOpts.AllowPrivate, "startup_ms", time.Since(started).Milliseconds())
	fmt.Fprintf(stdout, "\nCalendar: http://%s/\n", ln.Addr())
	if *seed {
		fmt.Fprintf(stdout, "  sign in as %s (or %s), password %s\n", demo.OwnerLogin, demo.WorkerLogin, demo.Password)
		fmt.Fprintf(stdout, "\nTry it:\n  curl -s -X POST http://%s/api/v1/auth -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{\"login\":\"%s\",\"password\":\"%s\"}'\n\n",
			ln.Addr(), demo.PartnerToken, demo.OwnerLogin, demo.Password)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

func migrate(args []string, stdout io.Writer) error {
	fs, c := newFlags("migrate")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openStore(ctx, c.db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := st.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s); schema version %d\n", len(applied), v)
	return nil
}

func backup(args []string, stdout io.Writer) error {
	fs, c := newFlags("backup")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: appointd backup PATH [--db sqlite:...]")
	}
	ctx := context.Background()
	st, err := openStore(ctx, c.db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	started := time.Now()
	if err := st.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up to %s in %s\n", pos[0], time.Since(started).Round(time.Millisecond))
	return nil
}

func withService(db string, fn func(context.Context, *booking.Service) error) error {
	ctx := context.Background()
	st, err := open(ctx, db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(ctx, booking.NewService(st, booking.Options{Hooks: httpapi.Hooks{}}))
}

func webhookCmd(args []string, stdout io.Writer) error {
	fs, c := newFlags("webhook")
	all := fs.Bool("all", false, "list delivered deliveries too")
	one := fs.Int64("id", 0, "webhook retry: only this delivery (the first column of webhook list)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) >= 1 && pos[0] == "retry" {
		return webhookRetry(c.db, pos[1:], *one, stdout)
	}
	if len(pos) < 2 || (pos[0] == "add" && len(pos) != 3) || (pos[0] == "list" && len(pos) != 2) {
		return errors.New("usage: appointd webhook add LOCATION_ID URL | appointd webhook list LOCATION_ID [--all]")
	}
	loc, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil {
		return fmt.Errorf("location id %q is not a number", pos[1])
	}
	return withService(c.db, func(ctx context.Context, svc *booking.Service) error {
		switch pos[0] {
		case "add":
			w, err := svc.AddWebhookURL(ctx, loc, pos[2])
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "webhooks of location %d are on; urls: %s\n", loc, strings.Join(w.URLs, " "))
			fmt.Fprintf(stdout, "signing secret (%s: sha256=HMAC-SHA256(secret, body)):\n%s\n", webhook.HeaderSignature, w.Secret)
		case "list":
			states := []string{booking.DeliveryPending, booking.DeliveryFailed}
			if *all {
				states = nil
			}
			w, list, err := svc.WebhookOverview(ctx, loc, states, 100)
			if err != nil {
				return err
			}
			if w == nil {
				fmt.Fprintf(stdout, "location %d has no webhook settings\n", loc)
			} else {
				var events []string
				for _, e := range booking.HookEvents {
					if w.Events[e] {
						events = append(events, e)
					}
				}
				fmt.Fprintf(stdout, "location %d: active %v\nurls: %s\nevents: %s\nsecret: %s\n", loc, w.Active,
					strings.Join(w.URLs, " "), strings.Join(events, " "), w.Secret)
			}
			fmt.Fprintf(stdout, "%d deliveries (newest first, at most 100):\n", len(list))
			for _, d := range list {
				fmt.Fprintf(stdout, "%d %s %s %s.%s %d attempts=%d created=%s %s %s\n", d.ID, d.DeliveryID, d.State, d.Resource,
					d.Status, d.ResourceID, d.Attempts, d.CreatedAt.Format(time.RFC3339), d.URL, d.LastError)
			}
		default:
			return fmt.Errorf("unknown webhook command %q", pos[0])
		}
		return nil
	})
}

func partner(args []string, stdout io.Writer) error {
	fs, c := newFlags("partner")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && pos[0] == "list" {
		return partnerList(c.db, stdout)
	}
	if len(pos) == 2 && pos[0] == "revoke" {
		return partnerRevoke(c.db, pos[1], stdout)
	}
	if len(pos) != 2 || pos[0] != "create" {
		return errors.New("usage: appointd partner create NAME | appointd partner list | appointd partner revoke ID")
	}
	return withService(c.db, func(ctx context.Context, svc *booking.Service) error {
		p, token, err := svc.CreatePartner(ctx, pos[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "partner %d %q created. Its token (shown once, keep it safe):\n%s\n", p.ID, p.Name, token)
		return nil
	})
}

func user(args []string, stdin io.Reader, stdout io.Writer) error {
	fs, c := newFlags("user")
	login := fs.String("login", "", "login: e-mail or phone")
	password := fs.String("password", "", "password (at least 8 characters)")
	name := fs.String("name", "", "display name")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errors.New("usage: appointd user create|grant|passwd|list ...")
	}
	return withService(c.db, func(ctx context.Context, svc *booking.Service) error {
		switch pos[0] {
		case "create":
			u, err := svc.CreateUser(ctx, booking.NewUser{Login: *login, Password: *password, Name: *name})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "user %d %q created\n", u.ID, u.Login)
		case "grant":
			if len(pos) != 4 {
				return errors.New("usage: appointd user grant LOGIN LOCATION_ID ROLE")
			}
			loc, err := strconv.ParseInt(pos[2], 10, 64)
			if err != nil {
				return fmt.Errorf("location id %q is not a number", pos[2])
			}
			if err := svc.Grant(ctx, pos[1], loc, pos[3]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s is now %s of location %d\n", pos[1], pos[3], loc)
		case "list":
			if len(pos) != 1 {
				return errors.New("usage: appointd user list")
			}
			return userList(ctx, svc, stdout)
		case "passwd":
			if len(pos) != 2 {
				return errors.New("usage: appointd user passwd LOGIN [--password P]")
			}
			pw := *password
			if pw == "" {
				line, err := bufio.NewReader(stdin).ReadString('\n')
				if err != nil && line == "" {
					return errors.New("no password given (pass --password or write it to stdin)")
				}
				pw = strings.TrimRight(line, "\r\n")
			}
			if err := svc.SetPassword(ctx, pos[1], pw); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "password of %s changed; all of its tokens are revoked\n", pos[1])
		default:
			return fmt.Errorf("unknown user command %q", pos[0])
		}
		return nil
	})
}

// icalFeed creates, rotates or removes a team member's calendar feed.
func icalFeed(args []string, stdout io.Writer) error {
	fs, c := newFlags("ical")
	base := fs.String("base-url", env("APPOINTD_BASE_URL", ""), "how clients reach the server (default http:// and --addr)")
	addr := fs.String("addr", env("APPOINTD_ADDR", "127.0.0.1:8080"), "the server's listen address, for the URL without --base-url")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	const usage = "usage: appointd ical rotate|off LOCATION_ID TEAM_MEMBER_ID [--base-url URL]"
	if len(pos) != 3 || (pos[0] != "rotate" && pos[0] != "off") {
		return errors.New(usage)
	}
	var ids [2]int64
	for i, s := range pos[1:] {
		if ids[i], err = strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("%q is not a number; %s", s, usage)
		}
	}
	return withService(c.db, func(ctx context.Context, svc *booking.Service) (err error) {
		defer func() {
			if errors.Is(err, booking.ErrNotFound) {
				err = fmt.Errorf("location %d has no team member %d", ids[0], ids[1])
			}
		}()
		if pos[0] == "off" {
			if err := svc.DeleteFeedAdmin(ctx, ids[0], ids[1]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "the calendar feed of team member %d is off\n", ids[1])
			return nil
		}
		secret, err := svc.RotateFeedAdmin(ctx, ids[0], ids[1])
		if err != nil {
			return err
		}
		url := strings.TrimSuffix(*base, "/")
		if url == "" {
			url = "http://" + *addr
		}
		fmt.Fprintf(stdout, "calendar feed of team member %d (an older URL no longer works):\n%s%s\n", ids[1], url, httpapi.FeedPath(secret))
		return nil
	})
}
