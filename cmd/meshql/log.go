package main

import (
	"io"
	"log/slog"
	"strings"
)

func newLogger(o *options, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(o.LogLevel) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	hopts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(o.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, hopts))
	}
	return slog.New(slog.NewTextHandler(w, hopts))
}
