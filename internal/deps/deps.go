// Package deps pins the server's third-party modules until their users land.
package deps

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "golang.org/x/crypto/argon2"
	_ "modernc.org/sqlite"
)
