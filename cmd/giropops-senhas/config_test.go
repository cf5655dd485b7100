package main

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/server"
)

func TestLoadConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := loadConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != ":5000" || c.redis != nil || c.history.Size != 10 || c.scope != server.ScopeSession || c.shutdownTimeout != 10*time.Second || !c.autopipeline ||
		c.sessionRotate != time.Hour || c.sessionKey != nil {
		t.Fatalf("defaults: %+v", c)
	}

	c, err = loadConfig(env("REDIS_HOST", "redis", "REDIS_PORT", "6380", "REDIS_PASSWORD", "s3gredo", "REDIS_DB", "2",
		"HISTORY_SIZE", "25", "HISTORY_SCOPE", "global", "PORT", "8080"))
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != ":8080" || c.redis.Addr != "redis:6380" || c.redis.Password != "s3gredo" || c.redis.DB != 2 ||
		c.history.Size != 25 || c.scope != server.ScopeGlobal || c.sessionTTL != 24*time.Hour {
		t.Fatalf("from the environment: %+v %+v", c, c.redis)
	}
	if c.redis.DialTimeout == 0 || c.redis.ReadTimeout <= 0 || c.redis.WriteTimeout <= 0 {
		t.Fatalf("Redis without timeouts: %+v", c.redis)
	}

	c, err = loadConfig(env("REDIS_URL", "redis://:pw@cache:6390/3"))
	if err != nil || c.redis.Addr != "cache:6390" || c.redis.Password != "pw" || c.redis.DB != 3 || c.redis.ReadTimeout <= 0 {
		t.Fatalf("REDIS_URL: %+v, %v", c.redis, err)
	}

	for _, bad := range [][]string{
		{"PORT", "70000"}, {"PORT", "x"}, {"HISTORY_SIZE", "0"}, {"HISTORY_SIZE", "1001"},
		{"HISTORY_SCOPE", "todos"}, {"SESSION_TTL", "1 dia"}, {"SHUTDOWN_TIMEOUT", "-1s"},
		{"LOG_LEVEL", "verbose"}, {"REDIS_HOST", "r", "REDIS_PORT", "0"}, {"REDIS_HOST", "r", "REDIS_DB", "16"},
		{"REDIS_URL", "http://r:6379"}, {"REDIS_TIMEOUT", "0s"},
		{"HISTORY_MAX_SESSIONS", "0"}, {"HISTORY_KEY", "c2VncmVkbw=="}, {"HISTORY_KEY", "not base64!"},
		{"SESSION_KEY", "c2VncmVkbw=="}, {"SESSION_KEY", "not base64!"}, {"SESSION_ROTATE", "1 hora"}, {"SESSION_ROTATE", "-1h"},
		{"COOKIE_SECURE", "sim"}, {"HISTORY_ALLOW_CLEAR_GLOBAL", "talvez"}, {"REDIS_AUTOPIPELINE", "talvez"},
	} {
		_, err := loadConfig(env(bad...))
		if err == nil || !strings.Contains(err.Error(), bad[len(bad)-2]) {
			t.Errorf("%v: error %v, want one naming %s", bad, err, bad[len(bad)-2])
		}
	}
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	c, err = loadConfig(env("HISTORY_KEY", key, "COOKIE_SECURE", "always", "HISTORY_MAX_SESSIONS", "500",
		"HISTORY_ALLOW_CLEAR_GLOBAL", "true", "REDIS_AUTOPIPELINE", "off", "SESSION_KEY", key, "SESSION_ROTATE", "15m"))
	if err != nil || string(c.historyKey) != "0123456789abcdef0123456789abcdef" || c.cookieSecure != "always" ||
		string(c.sessionKey) != "0123456789abcdef0123456789abcdef" || c.sessionRotate != 15*time.Minute ||
		c.history.MaxLists != 500 || !c.clearGlobal || c.autopipeline {
		t.Fatalf("history settings: %+v, %v", c, err)
	}
	// Neither a password in REDIS_URL nor HISTORY_KEY ever reaches an error message.
	for _, name := range []string{"HISTORY_KEY", "SESSION_KEY"} {
		if _, err := loadConfig(env(name, "c2VncmVkbw==")); err == nil || strings.Contains(err.Error(), "c2VncmVkbw") {
			t.Errorf("%s error %v", name, err)
		}
	}
	if _, err := loadConfig(env("REDIS_URL", "redis://:segredo123@host:notaport/0")); err == nil || strings.Contains(err.Error(), "segredo123") {
		t.Errorf("REDIS_URL error %v", err)
	}
}
