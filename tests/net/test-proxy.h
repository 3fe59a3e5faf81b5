/* test-proxy.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A TCP proxy between the client under test and a real tack-server that
 * the tests can make misbehave: cut every connection, play dead (refuse
 * new ones), blackhole traffic while keeping sockets open, delay the
 * answers to matching requests, and turn WebSocket upgrades or SSE
 * requests away the way a hostile middlebox would. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _TestProxy TestProxy;

TestProxy *test_proxy_new             (guint16     target_port);
void       test_proxy_free            (TestProxy  *self);
guint16    test_proxy_get_port        (TestProxy  *self);
char      *test_proxy_get_url         (TestProxy  *self);
void       test_proxy_set_target_port (TestProxy  *self,
                                       guint16     port);
guint      test_proxy_get_n_accepted  (TestProxy  *self);
void       test_proxy_cut             (TestProxy  *self);
void       test_proxy_set_down        (TestProxy  *self,
                                       gboolean    down);
void       test_proxy_set_blackhole   (TestProxy  *self,
                                       gboolean    blackhole);
void       test_proxy_set_delay       (TestProxy  *self,
                                       const char *request_substring,
                                       guint       delay_ms);
void       test_proxy_set_refuse_upgrade (TestProxy *self,
                                          gboolean   refuse);
void       test_proxy_set_refuse_sse  (TestProxy  *self,
                                       gboolean    refuse);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestProxy, test_proxy_free)

G_END_DECLS
