// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/store/sqlite"
)

// killChildEnv names the database a child process of TestSurvivesKill
// writes to.
const killChildEnv = "ALMANAC_SQLITE_KILL_CHILD"

// TestSurvivesKill checks the durability promise of SyncNormal: a child
// process PUTs objects and reports each acknowledged one; after it is
// killed with SIGKILL mid-stream, every acknowledged object is in the
// database.
func TestSurvivesKill(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "kill.db")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestSurvivesKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	var (
		collectionID int64
		acked        []string
	)
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 300 {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "collection "); ok {
			collectionID, _ = strconv.ParseInt(id, 10, 64)
			continue
		}
		if name, ok := strings.CutPrefix(line, "acked "); ok {
			acked = append(acked, name)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	cmd.Wait()
	if collectionID == 0 || len(acked) < 300 {
		t.Fatalf("child reported collection %d and %d acknowledged PUTs, want 300", collectionID, len(acked))
	}

	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open() after kill = %v", err)
	}
	defer s.Close()
	found, err := s.Objects(t.Context(), collectionID, acked)
	if err != nil {
		t.Fatalf("Objects() = %v", err)
	}
	if len(found) != len(acked) {
		t.Errorf("after kill -9, %d of %d acknowledged objects are in the database", len(found), len(acked))
	}
}

// killChild PUTs objects into the database at path until it is killed,
// printing "acked NAME" after each PutObject returns.
func killChild(t *testing.T, path string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	p := &calendar.Principal{Name: "kill", Type: calendar.TypeIndividual}
	if err := s.CreatePrincipal(ctx, p); err != nil {
		t.Fatalf("CreatePrincipal() = %v", err)
	}
	c := &calendar.Collection{OwnerID: p.ID, Name: "default", Kind: calendar.KindCalendar}
	if err := s.CreateCollection(ctx, c); err != nil {
		t.Fatalf("CreateCollection() = %v", err)
	}
	fmt.Fprintf(os.Stdout, "collection %d\n", c.ID)
	for i := 0; ctx.Err() == nil; i++ {
		o := benchObject(c.ID, i)
		if _, err := s.PutObject(ctx, o, calendar.Conditions{}); err != nil {
			t.Fatalf("PutObject() = %v", err)
		}
		fmt.Fprintf(os.Stdout, "acked %s\n", o.Name)
	}
}
