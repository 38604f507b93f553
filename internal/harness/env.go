// Package harness prepares what every spec stands on: the client, the
// OpenAPI document, the users the suite acts as or adds, and the threads it
// must delete again. It knows nothing of Ginkgo, so it can be tested alone.
package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/limits"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// Pool sizes. Hosts create threads and act in them: ACS limits thread
// creations and deletions per user (limits.Rates.ThreadsPerUser), so
// spreading specs over many hosts keeps that limit from serialising the run. The pool is minted once and
// shared by every parallel process.
const (
	// PoolHostsPerVersion: one api-version's specs create about 130 threads
	// (with ERR-09's and one each process has created ahead at the end), 2
	// requests each; a run faster than the 10 s window puts them all in one
	// window, and with 32 hosts the busiest served 10 to 12 (at or over the
	// limit, 429s then stalled the teardown for the window). 48 leaves the
	// busiest about 8.
	PoolHostsPerVersion = 48
	// PoolMembers is enough users to add for the largest add the contract
	// allows (ADD-04 adds that many to one thread at once).
	PoolMembers = limits.ParticipantsPerRequest
	// MintConcurrency bounds concurrent Identity calls (and the deletions
	// of a teardown). The largest pool, every known api-version's (48 hosts
	// × 6 versions, the outsider and 200 members: 489 users), is then two
	// round trips deep to mint and to delete, one version's (249) one: at
	// 64 they were 8 round trips deep each, which at 50 ms was most of
	// setup and teardown. Each call in flight holds a connection, two file
	// descriptors with the embedded server, so 256 stays well within a
	// limit of 1024 open files. Against a remote endpoint CHAT_MAX_RPS paces
	// them anyway (by default).
	MintConcurrency = 256
)

// Pool is the users of a run. Process 1 obtains it (SynchronizedBeforeSuite)
// and hands it to every process; it is JSON so it can travel between them.
type Pool struct {
	// Hosts act in the specs' threads (create, add, list, delete).
	Hosts []client.User
	// Outsider belongs to no thread; nil without the capability.
	Outsider *client.User
	// Members are users to add; they never act.
	Members []client.User
	// Missing is a well-formed raw id of a user that does not exist.
	Missing string
	// Minted says the suite created these users and must delete them.
	Minted bool
}

// Env is one process's view of the server under test.
type Env struct {
	*Pool
	Config *config.Config
	// Client sends the requests no spec owns (setup, cleanup) at
	// Config.APIVersion; Clients has one client per certified api-version,
	// sharing its connections, limiter and redactor.
	Client  *client.Client
	Clients map[string]*client.Client
	// Spec is Config.APIVersion's document; Specs has every certified
	// version's.
	Spec  *openapi.Spec
	Specs map[string]*openapi.Spec

	next    atomic.Uint64
	mu      sync.Mutex
	threads map[string]client.User // created and not yet deleted
	minted  []string               // users this process minted itself (ERR-03)

	// reservoir and deleter do a spec's thread work off its goroutine
	// (Prepare); background holds exchanges of that work no spec recorded.
	reservoir  *reservoir
	deleter    *deleter
	background []*transcript.Exchange
	busy       busy
}

// NewClient builds the client a run uses: TLS per CHAT_CA_FILE and
// CHAT_INSECURE_SKIP_VERIFY, the trust policy, CHAT_MAX_RPS, redaction of
// every configured secret.
func NewClient(cfg *config.Config, record func(*transcript.Exchange)) (*client.Client, error) {
	var limiter client.Waiter
	if cfg.MaxRPS > 0 {
		limiter = rate.NewLimiter(rate.Limit(cfg.MaxRPS), max(1, int(cfg.MaxRPS+0.5)))
	}
	return newClient(cfg, limiter, record)
}

func newClient(cfg *config.Config, limiter client.Waiter, record func(*transcript.Exchange)) (*client.Client, error) {
	hc, err := client.NewHTTP(cfg.CAFile, cfg.InsecureSkipVerify)
	if err != nil {
		return nil, err
	}
	red := &transcript.Redactor{}
	red.Add(cfg.Secrets()...)
	return client.New(clientOptions(cfg, cfg.APIVersion, hc, red, limiter, record)), nil
}

// clientOptions are the options of a client at apiVersion: the trust
// policy, timeout, redaction and CHAT_MAX_RPS limiter of the run.
func clientOptions(cfg *config.Config, apiVersion string, hc *http.Client, red *transcript.Redactor, limiter client.Waiter, record func(*transcript.Exchange)) client.Options {
	opts := client.Options{
		Endpoint:   cfg.Endpoint,
		APIVersion: apiVersion,
		Timeout:    cfg.Timeout,
		HTTP:       hc,
		Trust:      client.NewTrust(cfg.Endpoint, append(append([]string(nil), cfg.TrustedHosts...), config.DefaultTrustedHostSuffixes...)...),
		Redactor:   red,
		Record:     record,
	}
	if limiter != nil {
		opts.Limiter = limiter
	}
	if cfg.Connection != nil {
		opts.AccessKey = cfg.Connection.AccessKey
	}
	return opts
}

// NewPool obtains the run's users: minted through the Identity API when the
// run can (connection string or embedded server), taken from the
// configuration otherwise.
func NewPool(ctx context.Context, cfg *config.Config, c *client.Client) (*Pool, error) {
	if cfg.Connection == nil {
		p, err := manualPool(cfg)
		if err != nil {
			return nil, err
		}
		return p, checkTokens(ctx, c, cfg, p)
	}
	// Every certified version creates its own threads: without more hosts
	// a six-version run would wait out the per-user creation limit.
	hosts := PoolHostsPerVersion * len(cfg.APIVersions)
	users := make([]client.User, hosts+1+PoolMembers)
	var g errgroup.Group
	g.SetLimit(MintConcurrency)
	for i := range users {
		g.Go(func() error {
			var err error
			if i <= hosts {
				users[i], err = c.NewUser(ctx) // hosts and the outsider act: they need tokens
			} else {
				users[i], err = c.NewIdentity(ctx)
			}
			return err
		})
	}
	err := g.Wait()
	p := &Pool{Hosts: users[:hosts], Outsider: &users[hosts], Members: users[hosts+1:], Minted: true}
	if err != nil {
		_ = DeleteUsers(c, p.ids(), cfg.Timeout) // what was minted before the failure
		return nil, fmt.Errorf("minting users through the Identity API (ACS_CONNECTION_STRING): %w", err)
	}
	p.Missing = missingLike(p.Hosts[0].RawID)
	return p, nil
}

func manualPool(cfg *config.Config) (*Pool, error) {
	id, err := client.RawIDFromToken(cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("CHAT_TOKEN: %w", err)
	}
	p := &Pool{Hosts: []client.User{{RawID: id, Token: cfg.Token}}, Missing: missingLike(id)}
	if t := cfg.OutsiderToken; t != "" {
		oid, err := client.RawIDFromToken(t)
		if err != nil {
			return nil, fmt.Errorf("CHAT_OUTSIDER_TOKEN: %w", err)
		}
		p.Outsider = &client.User{RawID: oid, Token: t}
	}
	for _, raw := range cfg.ParticipantIDs {
		p.Members = append(p.Members, client.User{RawID: raw})
	}
	return p, nil
}

// checkTokens asks the server about a thread nobody has with each manual
// token: 401 means the token itself is refused (expired, revoked, another
// resource's), and every spec would fail for that reason alone.
func checkTokens(ctx context.Context, c *client.Client, cfg *config.Config, p *Pool) error {
	for name, u := range map[string]*client.User{"CHAT_TOKEN": &p.Hosts[0], "CHAT_OUTSIDER_TOKEN": p.Outsider} {
		if u == nil {
			continue
		}
		resp, err := c.Do(ctx, client.ListParticipants(u.Token, probeThread, "", ""))
		if err != nil {
			return fmt.Errorf("checking %s: %w", name, err)
		}
		if resp.Status == http.StatusUnauthorized {
			return fmt.Errorf("%s was refused by %s (401): it may have expired (user access tokens live 24 hours) or belong to another resource; mint a fresh one", name, cfg.Endpoint.Host)
		}
	}
	return nil
}

// ids are the raw ids of every user in the pool.
func (p *Pool) ids() []string {
	var ids []string
	for _, u := range append(append(append([]client.User(nil), p.Hosts...), p.Members...), derefUser(p.Outsider)...) {
		if u.RawID != "" {
			ids = append(ids, u.RawID)
		}
	}
	return ids
}

func derefUser(u *client.User) []client.User {
	if u == nil {
		return nil
	}
	return []client.User{*u}
}

// Setup prepares process number process (1-based) of a run with the pool
// process 1 obtained: the document, the client, and a round robin over the
// hosts that starts at a different host in every process. limiter, when
// not nil, is the run's shared CHAT_MAX_RPS limiter (see RateServer).
func Setup(cfg *config.Config, pool *Pool, process int, limiter client.Waiter, record func(*transcript.Exchange)) (*Env, error) {
	specs := map[string]*openapi.Spec{}
	for _, v := range cfg.APIVersions {
		spec, err := loadSpec(v, cfg.SpecPath)
		if err != nil {
			return nil, err
		}
		specs[v] = spec
	}
	if specs[cfg.APIVersion] == nil {
		return nil, fmt.Errorf("harness: setup api-version %s is not among the certified %s", cfg.APIVersion, strings.Join(cfg.APIVersions, ", "))
	}
	hc, err := client.NewHTTP(cfg.CAFile, cfg.InsecureSkipVerify)
	if err != nil {
		return nil, err
	}
	red := &transcript.Redactor{}
	red.Add(cfg.Secrets()...)
	for _, u := range append(append([]client.User(nil), pool.Hosts...), derefUser(pool.Outsider)...) {
		red.Add(u.Token)
	}
	clients := map[string]*client.Client{}
	for _, v := range cfg.APIVersions {
		clients[v] = client.New(clientOptions(cfg, v, hc, red, limiter, record))
	}
	e := &Env{Pool: pool, Config: cfg, Client: clients[cfg.APIVersion], Clients: clients,
		Spec: specs[cfg.APIVersion], Specs: specs, threads: map[string]client.User{}}
	e.next.Store(uint64(max(0, process-1) * 7)) // 7: coprime with any pool size in use
	return e, nil
}

// specLoads are the OpenAPI documents this process loads, once each (see
// Preload).
var specLoads sync.Map // version + "\x00" + path → *specLoad

type specLoad struct {
	once sync.Once
	spec *openapi.Spec
	err  error
}

// loadSpec loads the document of an api-version once per process. An
// embedded document is Deferred: parsed by the first spec that checks a
// response against it, not at start-up, when every process of a parallel
// run wants the two cores at once (six documents in each of 16 processes
// were about 0.7 s of CPU there, on the way to the first spec). A CHAT_SPEC
// file is loaded at once, so that what is wrong with it stops the run at
// setup.
func loadSpec(apiVersion, path string) (*openapi.Spec, error) {
	v, _ := specLoads.LoadOrStore(apiVersion+"\x00"+path, &specLoad{})
	l := v.(*specLoad)
	l.once.Do(func() {
		if path == "" {
			l.spec, l.err = openapi.Deferred(apiVersion)
		} else {
			l.spec, l.err = openapi.Load(apiVersion, path)
		}
	})
	return l.spec, l.err
}

// Preload starts loading the CHAT_SPEC documents of the versions cfg
// certifies, in the background: every process but the first waits for the
// first's setup (minting the users) before its own, and would only then
// spend its CPU on them. Setup takes them from there. Embedded documents
// are parsed when first used (see loadSpec).
func Preload(cfg *config.Config) {
	if cfg.SpecPath == "" {
		return
	}
	for _, v := range cfg.APIVersions {
		go func() { _, _ = loadSpec(v, cfg.SpecPath) }()
	}
}

// CanMint reports whether the suite can create users and revoke tokens.
func (e *Env) CanMint() bool { return e.Config.Connection != nil }

// missingLike makes a raw id of the same resource as like, with a fresh
// random suffix: well-formed, but nobody's.
func missingLike(like string) string {
	prefix := wire.UserRawIDPrefix
	if rest, ok := strings.CutPrefix(like, wire.UserRawIDPrefix); ok {
		if res, _, ok := strings.Cut(rest, "_"); ok {
			prefix += res + "_"
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return prefix + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Lacks reports why a capability is absent ("" when present), naming the
// setting that would enable it.
func (e *Env) Lacks(capability string) string { return e.missing(capability) }

func (e *Env) missing(capability string) string {
	switch capability {
	case catalogue.CapMint:
		if !e.CanMint() {
			return "needs the Identity API to mint and revoke a token: set ACS_CONNECTION_STRING (or run against the embedded server)"
		}
	case catalogue.CapOutsider:
		if e.Outsider == nil {
			return "needs a second user who belongs to no test thread: set CHAT_OUTSIDER_TOKEN or ACS_CONNECTION_STRING"
		}
	case catalogue.CapRateLimit:
		if !e.Config.RateLimitTests {
			return "rate-limit tests deliberately exceed the server's limits: set CHAT_RATE_LIMIT_TESTS=1 to run them"
		}
	}
	return ""
}

// NeedMembers reports why a spec needing n addable users cannot run.
func (e *Env) NeedMembers(n int) string {
	if len(e.Members) >= n {
		return ""
	}
	return fmt.Sprintf("needs %d existing users to add but CHAT_PARTICIPANT_IDS lists %d: list more raw ids, or set ACS_CONNECTION_STRING", n, len(e.Members))
}

// SpreadHosts starts this process's round robin over the hosts at its
// share of them, process (1-based) of total: the processes run at about
// the same pace, so each host then serves about as many threads as any
// other (Setup's default start, 7 hosts apart, piles several processes'
// threads on the same hosts and over the per-user creation limit).
func (e *Env) SpreadHosts(process, total int) {
	if total > 1 && process >= 1 {
		e.next.Store(uint64((process - 1) * len(e.Hosts) / total))
	}
}

// Host picks the next acting user, round robin.
func (e *Env) Host() client.User {
	return e.Hosts[int(e.next.Add(1)-1)%len(e.Hosts)]
}

// NewThread creates a thread as host and tracks it for deletion. The
// request outlives an interrupt of ctx: a creation cancelled in flight may
// still happen on the server, and then nobody would know to delete it.
func (e *Env) NewThread(ctx context.Context, host client.User, topic string) (string, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*e.Config.Timeout)
	defer cancel()
	id, err := e.Client.NewThread(ctx, host.Token, topic)
	if err != nil {
		return "", err
	}
	e.mu.Lock()
	e.threads[id] = host
	e.mu.Unlock()
	return id, nil
}

// DeleteThread deletes a tracked thread; a 404 counts as deleted. It uses
// its own context so it runs even when the spec's context is done.
func (e *Env) DeleteThread(host client.User, id string) error {
	return e.deleteThread(context.Background(), host, id)
}

// deleteThread is DeleteThread with ctx's recorder (client.RecordTo); ctx
// is not waited on, only its values are used.
func (e *Env) deleteThread(ctx context.Context, host client.User, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*e.Config.Timeout)
	defer cancel()
	resp, err := e.Client.Do(ctx, client.DeleteThread(host.Token, id))
	if err == nil && resp.Status != http.StatusNoContent && resp.Status != http.StatusNotFound {
		err = fmt.Errorf("DELETE thread %s: status %d", id, resp.Status)
	}
	if err != nil {
		return err
	}
	e.mu.Lock()
	delete(e.threads, id)
	e.mu.Unlock()
	return nil
}

// Teardown stops the reservoir and waits for the background deletions
// (see Prepare), deleting the reservoir's unclaimed threads meanwhile, then
// deletes every thread this process still tracks (deletions that failed)
// and the users it minted itself (not the pool: see DeletePool). It returns one error per
// thread or user it could not delete, so a run can report what it left
// behind; Background then has the exchanges of the work done off the
// specs' goroutines.
func (e *Env) Teardown() []error {
	var (
		errs []error
		mu   sync.Mutex
		g    errgroup.Group
	)
	g.SetLimit(MintConcurrency)
	deleting := map[string]bool{}
	del := func(id string, host client.User) {
		deleting[id] = true
		g.Go(func() error {
			if err := e.DeleteThread(host, id); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("thread %s was NOT deleted: %w", id, err))
				mu.Unlock()
			}
			return nil
		})
	}
	// The unclaimed threads go while the background deletions finish.
	e.settle(func(p *Prepared) { del(p.ID, p.Host) })
	e.mu.Lock()
	left := make(map[string]client.User, len(e.threads))
	for id, h := range e.threads {
		if !deleting[id] {
			left[id] = h
		}
	}
	e.mu.Unlock()
	for id, h := range left {
		del(id, h)
	}
	// The users it minted at the same time: neither waits for the other.
	e.mu.Lock()
	minted := e.minted
	e.minted = nil
	e.mu.Unlock()
	var userErrs []error
	g.Go(func() error { userErrs = DeleteUsers(e.Client, minted, e.Config.Timeout); return nil })
	_ = g.Wait()
	return append(errs, userErrs...)
}

// MintUser creates a throw-away user with a chat token (CanMint only); it is
// deleted at Teardown.
func (e *Env) MintUser(ctx context.Context) (client.User, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*e.Config.Timeout) // see NewThread
	defer cancel()
	u, err := e.Client.NewUser(ctx)
	if err == nil {
		e.mu.Lock()
		e.minted = append(e.minted, u.RawID)
		e.mu.Unlock()
	}
	return u, err
}

// DeletePool deletes the pool's users if the suite minted them; process 1
// calls it once every process is done.
func (e *Env) DeletePool() []error {
	if !e.Minted {
		return nil
	}
	return DeleteUsers(e.Client, e.ids(), e.Config.Timeout)
}

// DeleteUsers deletes identities concurrently and returns one error per user
// it could not delete.
func DeleteUsers(c *client.Client, ids []string, timeout time.Duration) []error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*timeout)
	defer cancel()
	errs := make([]error, len(ids))
	var g errgroup.Group
	g.SetLimit(MintConcurrency)
	for i, id := range ids {
		g.Go(func() error {
			if _, err := c.Expect(ctx, client.DeleteUser(id), http.StatusNoContent, nil); err != nil {
				errs[i] = fmt.Errorf("user %s was NOT deleted: %w", id, errors.Unwrap(err))
			}
			return nil
		})
	}
	_ = g.Wait()
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}
