//go:build reliability

package reliability

import (
	"slices"
	"testing"
	"time"
)

// The app's deadline for each Redis call in these tests (REDIS_TIMEOUT), and
// the slack a loaded machine gets on top of it before a request counts as hung.
const (
	redisTimeout = time.Second
	hangSlack    = time.Second
	outageLength = 4 * time.Second
	recoverLimit = 2 * time.Second
)

// TestRedisOutage takes Redis away under load, in two ways: the server stops
// (connections refused), and the network to it goes silent (calls hang). Either
// way generation keeps answering 200, the history answers 503, no request takes
// longer than the Redis deadline, the process stays up, and within 2 s of Redis
// coming back everything answers 200 again.
func TestRedisOutage(t *testing.T) {
	t.Run("stopped", func(t *testing.T) {
		redis := startRedis(t, false)
		app := startApp(t, redis.Addr, "HISTORY_SCOPE=global", "REDIS_TIMEOUT="+redisTimeout.String())
		outage(t, app.URL, app.Exited, redis.Stop, redis.StartAgain)
	})
	t.Run("unresponsive", func(t *testing.T) {
		redis := startRedis(t, false)
		link := newBlackhole(t, redis.Addr)
		app := startApp(t, link.Addr, "HISTORY_SCOPE=global", "REDIS_TIMEOUT="+redisTimeout.String())
		outage(t, app.URL, app.Exited, link.Cut, link.Heal)
	})
}

func outage(t *testing.T, base string, exited func() bool, down, up func()) {
	stop := make(chan struct{})
	results := make(chan []result)
	go func() { results <- load(base, 6, []op{opGenerate, opList}, until(stop)) }()

	time.Sleep(time.Second)
	downAt := time.Now()
	down()
	downDone := time.Now()
	time.Sleep(outageLength / 2)
	if code, err := getStatus(base + "/readyz"); code != 503 {
		t.Errorf("during the outage /readyz answered %d %v, want 503", code, err)
	}
	time.Sleep(outageLength / 2)
	if exited() {
		t.Fatal("the app exited during the outage")
	}
	upAt := time.Now()
	up()
	upDone := time.Now()
	time.Sleep(3 * time.Second)
	close(stop)
	all := <-results
	slices.SortFunc(all, func(a, b result) int { return a.start.Compare(b.start) })
	if exited() {
		t.Fatal("the app exited after the outage")
	}
	if code, err := getStatus(base + "/readyz"); code != 200 {
		t.Errorf("after the outage /readyz answered %d %v, want 200", code, err)
	}

	var n503, nGenOutage, bad int
	var slowest time.Duration
	for _, r := range all {
		slowest = max(slowest, r.dur())
		during := !r.start.Before(downDone) && r.end.Before(upAt)
		before := r.end.Before(downAt)
		switch {
		case r.err != nil:
			t.Errorf("%s at %s: %v", r.op, ms(r.start.Sub(downAt)), r.err)
			bad++
		case r.dur() > redisTimeout+hangSlack:
			t.Errorf("%s at %s took %s: longer than the Redis deadline %s", r.op, ms(r.start.Sub(downAt)), ms(r.dur()), redisTimeout)
			bad++
		case r.op == opGenerate && r.status != 200:
			t.Errorf("generate at %s answered %d %q, want 200 whatever Redis does", ms(r.start.Sub(downAt)), r.status, r.erro)
			bad++
		case r.op == opList && before && r.status != 200:
			t.Errorf("list before the outage answered %d", r.status)
			bad++
		case r.op == opList && during && (r.status != 503 || r.erro == ""):
			t.Errorf("list during the outage answered %d %q, want 503 with an erro", r.status, r.erro)
			bad++
		case r.op == opList && r.status != 200 && r.status != 503:
			t.Errorf("list answered %d", r.status)
			bad++
		}
		if during && r.op == opList && r.status == 503 {
			n503++
		}
		if during && r.op == opGenerate && r.status == 200 {
			nGenOutage++
		}
		if bad > 10 {
			t.Fatal("too many failures; stopping here")
		}
	}
	if n503 == 0 || nGenOutage == 0 {
		t.Fatalf("the outage was not seen: %d list 503s and %d generations during it", n503, nGenOutage)
	}

	// Recovery: the first list request from which every later one is a 200.
	var lists []result
	for _, r := range all {
		if r.op == opList {
			lists = append(lists, r)
		}
	}
	i := len(lists)
	for i > 0 && lists[i-1].status == 200 {
		i--
	}
	if i == len(lists) {
		t.Fatal("no list request succeeded after Redis came back")
	}
	recovered := lists[i].start.Sub(upDone)
	t.Logf("%d requests, slowest %s; %d list 503s and %d generations during the outage; history back %s after Redis",
		len(all), ms(slowest), n503, nGenOutage, ms(max(recovered, 0)))
	if recovered > recoverLimit {
		t.Errorf("the history answered 200 again only %s after Redis came back, want within %s", ms(recovered), recoverLimit)
	}
	if n := len(lists) - i; n < 10 {
		t.Errorf("only %d list requests after recovery: too few to call it normal", n)
	}
}
