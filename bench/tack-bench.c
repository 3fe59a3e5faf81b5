/* tack-bench.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The load client of bench/ (docs/performance.md). It opens N WebSocket
 * or SSE subscribers to one board of a target server (tack-server, or one
 * of the peers in bench/peers-src/), publishes card moves over HTTP, and
 * prints one JSON object: delivered events/s, publish→receive latency,
 * connect-and-subscribe times, the server's RSS and its own CPU use.
 *
 * `--mode resync --missed M` measures catching up instead: one subscriber
 * receives an event, drops its connection, M events are published, and it
 * reconnects asking for what it missed: Tack with `since=<seq>`, socket.io
 * with connection-state recovery (its private session id and the offset of
 * the last packet), nchan with `Last-Event-ID` (over WebSocket with the
 * `ws+meta.nchan` subprotocol, which puts each message's id in its frame).
 * It reports the bytes read on the new connection (HTTP upgrade included)
 * and the time from connect() to the last missed event.
 *
 * Every published message carries the stamp "bench:<index>:<t_ns>" (for
 * Tack in the write's op, which the event echoes); a subscriber finds it
 * with a substring scan rather than a JSON parse, so that the load client
 * stays cheaper per message than the servers it measures.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-glib/json-glib.h>
#include <glib-unix.h>
#include <libsoup/soup.h>

#include "tack-bench-cpu.h"
#include "tack-bench-url.h"
#include "src/server/tack-descriptors.h"

#define STAMP "bench:"

typedef enum
{
  TARGET_TACK,
  TARGET_WS,
  TARGET_SOCKETIO,
  TARGET_NCHAN,
} Target;

typedef struct _Bench Bench;

typedef struct
{
  Bench                   *bench;
  guint                    index;
  SoupWebsocketConnection *ws;
  GInputStream            *stream;
  GString                 *line;
  guint8                  *buf;
  /* the epoll client */
  int                      fd;
  guint8                  *in;
  gsize                    in_len;
  gsize                    in_cap;
  gsize                    chunk_left;
  guint8                   phase;
  guint8                   chunk_state;
  guint                    chunked : 1;
  gint64                   connect_start_ns;
  guint64                  received;
  guint                    live : 1;
  guint                    failed : 1;
} Sub;

typedef struct
{
  Bench *bench;
  char  *card_id;
  char  *column;
  gint64 version;
  gint64 sent_ns;
  guint  flip : 1;
} Slot;

struct _Bench
{
  /* options */
  Target       target;
  gboolean     sse;
  char        *url;
  char        *admin_token;
  char        *board;
  char        *token;
  guint        n_subs;
  guint        n_events;
  gboolean     latency_mode;
  guint        window;
  guint        size;
  guint        connect_concurrency;
  int          server_pid;
  guint        timeout_s;
  guint        idle_ms;
  guint        stall_s;
  gboolean     soup_client;
  int          epfd;
  guint        batch_ms;
  guint        epoll_watch;
  struct sockaddr_storage addr;
  socklen_t    addr_len;
  char        *host_port;
  char        *ready_file;

  SoupSession *session;
  SoupSession *pub_session;
  GMainLoop   *loop;
  GCancellable *cancellable;

  Sub         *subs;
  guint        next_connect;
  guint        connecting;
  guint        n_live;
  guint        n_failed;
  gint64       storm_start_ns;
  gint64       storm_end_ns;
  GArray      *connect_us;

  char        *columns[2];
  Slot        *slots;
  gint64       since;
  char        *padding;

  guint        published;
  guint        acked;
  guint        publish_errors;
  guint       *per_event;
  guint64      delivered;
  guint64      expected;
  gint64       pub_start_ns;
  gint64       last_delivery_ns;
  gint64       last_progress_ns;
  GArray      *latency_us;
  GArray      *publish_us;
  guint64      frame_bytes;
  guint        frame_count;

  gsize        rss_base_kib;
  gsize        rss_idle_kib;
  gsize        rss_end_kib;
  TackBenchCpu cpu;
  double       client_cpu_connect;
  double       client_cpu_publish;

  /* --mode resync */
  gboolean     resync_mode;
  guint        missed;
  int          resync_phase;
  char        *resume_id;
  char        *sio_pid;
  gboolean     resync_warm_acked;
  gboolean     resync_away;
  gboolean     resync_publishing;
  guint64      resync_rx_bytes;
  guint64      resync_payload_bytes;
  guint64      resync_raw_bytes;
  guint        resync_received;
  gint64       resync_start_ns;
  gint64       resync_end_ns;

  guint        timeout_id;
  guint        watchdog_id;
  gboolean     finished;
  int          exit_code;
};

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static gsize
read_rss_kib (int pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  const char *p;

  if (pid <= 0)
    return 0;
  path = g_strdup_printf ("/proc/%d/status", pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  p = strstr (contents, "VmRSS:");
  if (p == NULL)
    return 0;
  return (gsize)g_ascii_strtoull (p + strlen ("VmRSS:"), NULL, 10);
}

static void finish (Bench *bench);
static void start_publishing (Bench *bench);
static void publish_next (Bench *bench);
static void send_publish (Bench *bench,
                          guint  index,
                          Slot  *slot);
static void connect_more (Bench *bench);
static void resync_on_event (Sub        *sub,
                             guint       index,
                             const char *data,
                             gsize       len);
static void resync_begin (Bench *bench);
static void resync_reconnect (Bench *bench);
static void resync_maybe_publish (Bench *bench);

/* ---------------------------------------------------------------- setup */

static JsonNode *
http_json (Bench      *bench,
           const char *method,
           const char *path,
           const char *token,
           const char *body,
           GError    **error)
{
  g_autofree char *uri = g_strconcat (bench->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint status;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad URI %s", uri);
      return NULL;
    }
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (bench->pub_session, msg, NULL, error);
  if (reply == NULL)
    return NULL;
  status = soup_message_get_status (msg);
  if (status < 200 || status >= 300)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: HTTP %u: %.*s", method, path, status,
                   (int)MIN (g_bytes_get_size (reply), 300), (const char *)g_bytes_get_data (reply, NULL));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static const char *
member_string (JsonNode   *node,
               const char *outer,
               const char *inner)
{
  JsonObject *o = json_node_get_object (node);

  if (outer != NULL)
    o = json_object_get_object_member (o, outer);
  return json_object_get_string_member (o, inner);
}

static gboolean
setup_tack (Bench   *bench,
            GError **error)
{
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) snapshot = NULL;
  g_autofree char *path = NULL;

  if (bench->board == NULL)
    {
      if (bench->admin_token == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "tack needs --board and --token, or --admin-token (or TACK_ADMIN_TOKEN)");
          return FALSE;
        }
      created = http_json (bench, "POST", "/api/v1/boards", bench->admin_token,
                           "{\"title\": \"bench\"}", error);
      if (created == NULL)
        return FALSE;
      bench->board = g_strdup (member_string (created, "board", "id"));
      bench->token = g_strdup (json_object_get_string_member (json_node_get_object (created), "token"));
    }

  path = g_strdup_printf ("/api/v1/boards/%s/columns", bench->board);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"op\": \"setup-col-%u-%d\", \"title\": \"Bench %u\", \"after\": null}",
                                               i, g_random_int (), i);
      g_autoptr(JsonNode) col = http_json (bench, "POST", path, bench->token, body, error);

      if (col == NULL)
        return FALSE;
      bench->columns[i] = g_strdup (member_string (col, "column", "id"));
    }

  g_free (path);
  path = g_strdup_printf ("/api/v1/boards/%s/cards", bench->board);
  bench->slots = g_new0 (Slot, bench->window);
  for (guint i = 0; i < bench->window; i++)
    {
      /* The title pads the card.moved event towards --size bytes. */
      g_autofree char *body = g_strdup_printf ("{\"op\": \"setup-card-%u-%d\", \"column\": \"%s\", "
                                               "\"title\": \"Bench card %u\", \"after\": null}",
                                               i, g_random_int (), bench->columns[0], i);
      g_autoptr(JsonNode) card = http_json (bench, "POST", path, bench->token, body, error);
      JsonObject *c;

      if (card == NULL)
        return FALSE;
      c = json_object_get_object_member (json_node_get_object (card), "card");
      bench->slots[i].bench = bench;
      bench->slots[i].card_id = g_strdup (json_object_get_string_member (c, "id"));
      bench->slots[i].version = json_object_get_int_member (c, "version");
    }

  g_free (path);
  path = g_strdup_printf ("/api/v1/boards/%s", bench->board);
  snapshot = http_json (bench, "GET", path, bench->token, NULL, error);
  if (snapshot == NULL)
    return FALSE;
  bench->since = json_object_get_int_member (json_node_get_object (snapshot), "seq");
  return TRUE;
}

/* --------------------------------------------------------- subscribers */

static void
on_stamp (Sub        *sub,
          const char *data,
          gsize       len)
{
  Bench *bench = sub->bench;
  const char *p = g_strstr_len (data, len, STAMP);
  guint64 index;
  gint64 sent, t;
  char *end;

  if (p == NULL)
    return;
  p += strlen (STAMP);
  index = g_ascii_strtoull (p, &end, 10);
  if (*end != ':' || index >= bench->n_events)
    return;
  sent = g_ascii_strtoll (end + 1, NULL, 10);
  t = now_ns ();

  sub->received++;
  bench->delivered++;
  bench->per_event[index]++;
  if (bench->resync_mode)
    {
      resync_on_event (sub, index, data, len);
      return;
    }
  bench->last_delivery_ns = t;
  bench->last_progress_ns = t;
  bench->frame_bytes += len;
  bench->frame_count++;
  if (bench->latency_us->len < 50000000)
    {
      guint32 us = (guint32)MIN ((t - sent) / 1000, G_MAXUINT32);
      g_array_append_val (bench->latency_us, us);
    }

  if (bench->latency_mode)
    {
      /* The next move waits for the reply too: it carries the card's version. */
      if (bench->per_event[index] == bench->n_live && index + 1 == bench->published
          && bench->acked == bench->published)
        publish_next (bench);
    }
  else if (bench->delivered == bench->expected && bench->acked == bench->n_events)
    finish (bench);
}

static void
sub_live (Sub *sub)
{
  Bench *bench = sub->bench;
  gint64 t = now_ns ();
  guint64 us = (t - sub->connect_start_ns) / 1000;

  if (sub->live)
    return;
  sub->live = TRUE;
  bench->n_live++;
  bench->connecting--;
  g_array_append_val (bench->connect_us, us);
  bench->storm_end_ns = t;
  connect_more (bench);
}

static void
sub_failed (Sub          *sub,
            const GError *error)
{
  Bench *bench = sub->bench;

  if (sub->failed)
    return;
  sub->failed = TRUE;
  if (bench->n_failed < 5)
    g_printerr ("tack-bench: subscriber %u: %s\n", sub->index, error ? error->message : "closed");
  if (sub->live)
    {
      sub->live = FALSE;
      bench->n_live--;
    }
  else
    bench->connecting--;
  bench->n_failed++;
  connect_more (bench);
}

static void sub_send_text (Sub        *sub,
                           const char *text);

static void
handle_message (Sub        *sub,
                const char *data,
                gsize       len)
{
  if (sub->bench->target == TARGET_SOCKETIO && len > 0)
    {
      /* Engine.IO v4: '0' open, '2' ping, '4' message; Socket.IO: '0' connect, '2' event. */
      if (data[0] == '2')
        {
          sub_send_text (sub, "3");
          return;
        }
      if (data[0] == '0')
        {
          /* Resuming: the private session id and the last packet's offset. */
          if (sub->bench->resync_phase == 3 && sub->bench->sio_pid != NULL && sub->bench->resume_id != NULL)
            {
              g_autofree char *connect = g_strdup_printf ("40{\"pid\":\"%s\",\"offset\":\"%s\"}",
                                                          sub->bench->sio_pid, sub->bench->resume_id);
              sub_send_text (sub, connect);
            }
          else
            sub_send_text (sub, "40");
          return;
        }
      if (len > 2 && data[0] == '4' && data[1] == '0' && sub->bench->resync_mode)
        {
          /* 40{"sid":…,"pid":…}: the private id a reconnect resumes with.
           * (Resuming, socket.io sends the missed packets before this.) */
          const char *p = g_strstr_len (data, len, "\"pid\":\"");
          const char *end = p ? memchr (p + 7, '"', len - (p + 7 - data)) : NULL;
          g_autofree char *pid = end ? g_strndup (p + 7, end - (p + 7)) : NULL;

          if (sub->bench->resync_phase < 3 && pid != NULL)
            {
              g_free (sub->bench->sio_pid);
              sub->bench->sio_pid = g_steal_pointer (&pid);
            }
          return;
        }
      if (len >= 2 && data[0] == '4' && data[1] == '2' && g_strstr_len (data, MIN (len, 16), "\"hello\""))
        {
          sub_live (sub);
          return;
        }
    }
  else if (!sub->live && g_strstr_len (data, MIN (len, 64), "\"hello\""))
    {
      sub_live (sub);
      return;
    }

  on_stamp (sub, data, len);
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  handle_message (user_data, data, len);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  Sub *sub = user_data;

  if (!sub->bench->finished)
    sub_failed (sub, NULL);
}

static void
on_ws_connected (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Sub *sub = user_data;
  g_autoptr(GError) error = NULL;

  sub->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (sub->ws == NULL)
    {
      sub_failed (sub, error);
      return;
    }
  soup_websocket_connection_set_max_incoming_payload_size (sub->ws, 0);
  g_signal_connect (sub->ws, "message", G_CALLBACK (on_ws_message), sub);
  g_signal_connect (sub->ws, "closed", G_CALLBACK (on_ws_closed), sub);
  /* nchan sends nothing on subscribe: the open socket is the subscription. */
  if (sub->bench->target == TARGET_NCHAN)
    sub_live (sub);
}

#define SSE_BUF 4096

static void sse_read (Sub *sub);

static void
sse_line (Sub        *sub,
          const char *line,
          gsize       len)
{
  if (len >= 5 && memcmp (line, "data:", 5) == 0)
    {
      if (!sub->live)
        sub_live (sub);
      on_stamp (sub, line, len);
    }
}

static void
on_sse_read (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Sub *sub = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  const char *p, *end, *nl;

  if (n <= 0)
    {
      if (!sub->bench->finished)
        sub_failed (sub, error);
      return;
    }

  p = (const char *)sub->buf;
  end = p + n;
  while ((nl = memchr (p, '\n', end - p)) != NULL)
    {
      if (sub->line->len > 0)
        {
          g_string_append_len (sub->line, p, nl - p);
          sse_line (sub, sub->line->str, sub->line->len);
          g_string_truncate (sub->line, 0);
        }
      else
        sse_line (sub, p, nl - p);
      p = nl + 1;
    }
  if (p < end)
    g_string_append_len (sub->line, p, end - p);

  if (!sub->bench->finished)
    sse_read (sub);
}

static void
sse_read (Sub *sub)
{
  g_input_stream_read_async (sub->stream, sub->buf, SSE_BUF, G_PRIORITY_DEFAULT,
                             sub->bench->cancellable, on_sse_read, sub);
}

static void
on_sse_sent (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Sub *sub = user_data;
  g_autoptr(GError) error = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);

  sub->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (sub->stream == NULL)
    {
      sub_failed (sub, error);
      return;
    }
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_autoptr(GError) status_error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u",
                                                    soup_message_get_status (msg));
      sub_failed (sub, status_error);
      return;
    }
  sub->buf = g_malloc (SSE_BUF);
  sub->line = g_string_new (NULL);
  /* The response headers are the subscription for an event stream. */
  sub_live (sub);
  sse_read (sub);
}

/* ------------------------------------------------------- epoll client
 *
 * libsoup's client spends about 20 µs of CPU per received message (a
 * GSource dispatch, a GBytes, UTF-8 validation and a signal per frame), so
 * at 45,000 messages/s it saturates its core before the servers do. The
 * subscribers therefore read with one epoll set, registered in the GLib
 * main loop: an unmasked server frame is two to ten header bytes, and the
 * only client frames sent (Socket.IO's "40" and "3", pongs) are tiny.
 * `--client soup` keeps the libsoup subscribers for comparison.
 */

static char *sub_uri (Bench *bench);

enum { PHASE_CONNECTING, PHASE_HANDSHAKE, PHASE_OPEN };
enum { CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF };

static void
sub_close_fd (Sub *sub)
{
  if (sub->fd > 0)
    {
      epoll_ctl (sub->bench->epfd, EPOLL_CTL_DEL, sub->fd, NULL);
      close (sub->fd);
      sub->fd = -1;
    }
}

static void
epoll_fail (Sub        *sub,
            const char *why)
{
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s", why);

  sub_close_fd (sub);
  if (!sub->bench->finished)
    sub_failed (sub, error);
}

static void
ws_send_frame (Sub        *sub,
               guint8      opcode,
               const char *payload,
               gsize       len)
{
  guint8 frame[6 + 125];

  g_assert (len <= 125);
  /* Client frames must be masked; a zero key leaves the payload as it is. */
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | (guint8)len;
  memset (frame + 2, 0, 4);
  memcpy (frame + 6, payload, len);
  if (write (sub->fd, frame, 6 + len) < 0)
    epoll_fail (sub, g_strerror (errno));
}

static void
in_append (Sub          *sub,
           const guint8 *data,
           gsize         len)
{
  if (sub->in_len + len > sub->in_cap)
    {
      sub->in_cap = MAX (sub->in_cap * 2, MAX (sub->in_len + len, 4096));
      sub->in = g_realloc (sub->in, sub->in_cap);
    }
  memcpy (sub->in + sub->in_len, data, len);
  sub->in_len += len;
}

/* Parses whole frames from data; returns how many bytes were used. */
static gsize
ws_parse (Sub          *sub,
          const guint8 *data,
          gsize         len)
{
  gsize pos = 0;

  while (len - pos >= 2)
    {
      guint8 opcode = data[pos] & 0x0f;
      guint64 plen = data[pos + 1] & 0x7f;
      gsize hdr = 2;

      if (plen == 126)
        {
          if (len - pos < 4)
            break;
          plen = ((guint64)data[pos + 2] << 8) | data[pos + 3];
          hdr = 4;
        }
      else if (plen == 127)
        {
          if (len - pos < 10)
            break;
          plen = 0;
          for (guint i = 0; i < 8; i++)
            plen = (plen << 8) | data[pos + 2 + i];
          hdr = 10;
        }
      if (data[pos + 1] & 0x80)
        hdr += 4;
      if (len - pos < hdr + plen)
        break;

      if (opcode == 1 || opcode == 2 || opcode == 0)
        handle_message (sub, (const char *)data + pos + hdr, plen);
      else if (opcode == 9 && plen <= 125)
        ws_send_frame (sub, 0xA, (const char *)data + pos + hdr, plen);
      else if (opcode == 8)
        {
          epoll_fail (sub, "closed by the server");
          return len;
        }
      if (sub->fd < 0)
        return len;
      pos += hdr + plen;
    }
  return pos;
}

/* Parses whole SSE lines from data; returns how many bytes were used. */
static gsize
sse_parse (Sub          *sub,
           const guint8 *data,
           gsize         len)
{
  const char *p = (const char *)data, *end = p + len, *nl;

  while ((nl = memchr (p, '\n', end - p)) != NULL)
    {
      if (end - p >= 5 && memcmp (p, "data:", 5) == 0)
        on_stamp (sub, p, nl - p);
      p = nl + 1;
    }
  return p - (const char *)data;
}

static void
body_feed (Sub          *sub,
           const guint8 *data,
           gsize         len)
{
  gsize used;

  if (sub->in_len == 0)
    {
      used = sub->bench->sse ? sse_parse (sub, data, len) : ws_parse (sub, data, len);
      if (used < len && sub->fd >= 0)
        in_append (sub, data + used, len - used);
      return;
    }
  in_append (sub, data, len);
  used = sub->bench->sse ? sse_parse (sub, sub->in, sub->in_len) : ws_parse (sub, sub->in, sub->in_len);
  if (used > 0 && sub->fd >= 0)
    {
      memmove (sub->in, sub->in + used, sub->in_len - used);
      sub->in_len -= used;
    }
}

/* Chunked transfer coding, as an SSE response may use it. */
static void
dechunk_feed (Sub          *sub,
              const guint8 *data,
              gsize         len)
{
  gsize pos = 0;

  while (pos < len && sub->fd >= 0)
    {
      if (sub->chunk_state == CHUNK_SIZE)
        {
          guint8 c = data[pos++];
          if (c == '\n')
            {
              sub->chunk_state = sub->chunk_left ? CHUNK_DATA : CHUNK_CRLF;
              if (sub->chunk_left == 0)
                {
                  epoll_fail (sub, "stream ended");
                  return;
                }
            }
          else if (g_ascii_isxdigit (c) && sub->chunk_state == CHUNK_SIZE)
            sub->chunk_left = sub->chunk_left * 16 + g_ascii_xdigit_value (c);
        }
      else if (sub->chunk_state == CHUNK_DATA)
        {
          gsize n = MIN (sub->chunk_left, len - pos);
          body_feed (sub, data + pos, n);
          pos += n;
          sub->chunk_left -= n;
          if (sub->chunk_left == 0)
            sub->chunk_state = CHUNK_CRLF;
        }
      else if (data[pos++] == '\n')
        {
          sub->chunk_state = CHUNK_SIZE;
          sub->chunk_left = 0;
        }
    }
}

static void
handshake_feed (Sub          *sub,
                const guint8 *data,
                gsize         len)
{
  const char *head, *end;
  gsize head_len;

  in_append (sub, data, len);
  head = (const char *)sub->in;
  end = g_strstr_len (head, sub->in_len, "\r\n\r\n");
  if (end == NULL)
    return;
  head_len = end + 4 - head;
  if (!g_str_has_prefix (head, sub->bench->sse ? "HTTP/1.1 200" : "HTTP/1.1 101"))
    {
      g_autofree char *status = g_strndup (head, MIN (head_len, 40));
      epoll_fail (sub, status);
      return;
    }
  {
    g_autofree char *lower = g_ascii_strdown (head, head_len);
    sub->chunked = strstr (lower, "transfer-encoding: chunked") != NULL;
  }
  sub->phase = PHASE_OPEN;
  /* nchan sends nothing on subscribe, and an event stream starts with its
   * headers: for those the handshake is the subscription. */
  if (sub->bench->sse || sub->bench->target == TARGET_NCHAN)
    sub_live (sub);

  {
    gsize rest = sub->in_len - head_len;
    g_autofree guint8 *copy = rest ? g_memdup2 (sub->in + head_len, rest) : NULL;

    sub->in_len = 0;
    if (rest > 0)
      (sub->chunked ? dechunk_feed : body_feed) (sub, copy, rest);
  }
}

static void
epoll_send_handshake (Sub *sub)
{
  Bench *bench = sub->bench;
  g_autofree char *uri = NULL;
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GString) req = g_string_new (NULL);
  const char *query;
  int err = 0;
  socklen_t err_len = sizeof err;

  if (getsockopt (sub->fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0 || err != 0)
    {
      epoll_fail (sub, g_strerror (err ? err : errno));
      return;
    }
  /* sub_uri() gives an absolute URI; the request line wants its path. */
  uri = sub_uri (bench);
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  query = g_uri_get_query (parsed);
  g_string_append_printf (req, "GET %s%s%s HTTP/1.1\r\nHost: %s\r\n", g_uri_get_path (parsed),
                          query ? "?" : "", query ? query : "", bench->host_port);
  if (bench->sse)
    g_string_append (req, "Accept: text/event-stream\r\n");
  else
    {
      g_string_append (req, "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
      if (bench->target == TARGET_TACK)
        g_string_append (req, "Sec-WebSocket-Protocol: tack.v1\r\n");
      /* nchan names each message's id in its frame only with this subprotocol. */
      if (bench->target == TARGET_NCHAN && bench->resync_mode)
        g_string_append (req, "Sec-WebSocket-Protocol: ws+meta.nchan\r\n");
    }
  if (bench->target == TARGET_NCHAN && bench->resync_phase == 3 && bench->resume_id != NULL)
    g_string_append_printf (req, "Last-Event-ID: %s\r\n", bench->resume_id);
  if (bench->token != NULL)
    g_string_append_printf (req, "Authorization: Bearer %s\r\n", bench->token);
  g_string_append (req, "\r\n");

  if (write (sub->fd, req->str, req->len) != (gssize)req->len)
    {
      epoll_fail (sub, "handshake write failed");
      return;
    }
  {
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = sub };
    epoll_ctl (bench->epfd, EPOLL_CTL_MOD, sub->fd, &ev);
  }
  sub->phase = PHASE_HANDSHAKE;
}

static void
epoll_connect (Sub *sub)
{
  Bench *bench = sub->bench;
  struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = sub };
  int one = 1;

  sub->fd = socket (bench->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (sub->fd < 0)
    {
      epoll_fail (sub, g_strerror (errno));
      return;
    }
  setsockopt (sub->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sub->phase = PHASE_CONNECTING;
  if (connect (sub->fd, (struct sockaddr *)&bench->addr, bench->addr_len) < 0 && errno != EINPROGRESS)
    {
      epoll_fail (sub, g_strerror (errno));
      return;
    }
  epoll_ctl (bench->epfd, EPOLL_CTL_ADD, sub->fd, &ev);
}

static gboolean on_epoll (int          fd,
                          GIOCondition condition,
                          gpointer     user_data);

static gboolean
on_epoll_rearm (gpointer user_data)
{
  Bench *bench = user_data;

  if (!bench->finished)
    bench->epoll_watch = g_unix_fd_add (bench->epfd, G_IO_IN, on_epoll, bench);
  return G_SOURCE_REMOVE;
}

static gboolean
on_epoll (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Bench *bench = user_data;
  static guint8 rbuf[65536];
  struct epoll_event evs[256];

  for (guint round = 0; round < 8; round++)
    {
      int n = epoll_wait (bench->epfd, evs, G_N_ELEMENTS (evs), 0);

      for (int i = 0; i < n; i++)
        {
          Sub *sub = evs[i].data.ptr;
          gssize r;

          if (sub->fd < 0 || bench->finished)
            continue;
          if (sub->phase == PHASE_CONNECTING)
            {
              if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
                epoll_send_handshake (sub);
              continue;
            }
          r = read (sub->fd, rbuf, sizeof rbuf);
          if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            {
              epoll_fail (sub, r == 0 ? "closed" : g_strerror (errno));
              continue;
            }
          if (r < 0)
            continue;
          if (bench->resync_phase == 3)
            bench->resync_rx_bytes += r;
          if (sub->phase == PHASE_HANDSHAKE)
            handshake_feed (sub, rbuf, r);
          else if (sub->chunked)
            dechunk_feed (sub, rbuf, r);
          else
            body_feed (sub, rbuf, r);
        }
      if (n < (int)G_N_ELEMENTS (evs) || bench->finished)
        break;
    }

  /* In flood mode the subscribers read in batches: every read() of a
   * loopback socket also sends an ACK, and those dominated the client's
   * CPU when each read took one frame. */
  if (bench->batch_ms > 0 && bench->pub_start_ns > 0 && !bench->latency_mode && !bench->resync_mode
      && !bench->finished)
    {
      bench->epoll_watch = 0;
      g_timeout_add (bench->batch_ms, on_epoll_rearm, bench);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
sub_send_text (Sub        *sub,
               const char *text)
{
  if (sub->ws != NULL)
    soup_websocket_connection_send_text (sub->ws, text);
  else if (sub->fd >= 0)
    ws_send_frame (sub, 0x1, text, strlen (text));
}

static gboolean
epoll_setup (Bench   *bench,
             GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (bench->url, G_URI_FLAGS_NONE, error);
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
  g_autofree char *port = NULL;
  int rc;

  if (uri == NULL)
    return FALSE;
  port = g_strdup_printf ("%d", g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80);
  rc = getaddrinfo (g_uri_get_host (uri), port, &hints, &res);
  if (rc != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", g_uri_get_host (uri), gai_strerror (rc));
      return FALSE;
    }
  memcpy (&bench->addr, res->ai_addr, res->ai_addrlen);
  bench->addr_len = res->ai_addrlen;
  freeaddrinfo (res);
  bench->host_port = g_strdup_printf ("%s:%s", g_uri_get_host (uri), port);
  bench->epfd = epoll_create1 (EPOLL_CLOEXEC);
  bench->epoll_watch = g_unix_fd_add (bench->epfd, G_IO_IN, on_epoll, bench);
  return TRUE;
}

static char *
sub_uri (Bench *bench)
{
  switch (bench->target)
    {
    case TARGET_TACK:
      return g_strdup_printf ("%s/api/v1/boards/%s/events?since=%" G_GINT64_FORMAT,
                              bench->url, bench->board, bench->since);
    case TARGET_WS:
    case TARGET_NCHAN:
      return g_strdup_printf ("%s/sub/%s", bench->url, bench->board);
    case TARGET_SOCKETIO:
      return g_strdup_printf ("%s/socket.io/?EIO=4&transport=websocket&board=%s", bench->url, bench->board);
    default:
      g_assert_not_reached ();
    }
}

static void
connect_one (Sub *sub)
{
  Bench *bench = sub->bench;
  g_autofree char *uri = sub_uri (bench);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  if (bench->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", bench->token, NULL);
      soup_message_headers_replace (headers, "Authorization", auth);
    }
  sub->connect_start_ns = now_ns ();
  bench->connecting++;

  if (!bench->soup_client)
    {
      epoll_connect (sub);
      return;
    }

  if (bench->sse)
    {
      soup_message_headers_replace (headers, "Accept", "text/event-stream");
      soup_session_send_async (bench->session, msg, G_PRIORITY_DEFAULT, bench->cancellable, on_sse_sent, sub);
    }
  else
    {
      char *tack_protocols[] = { (char *)"tack.v1", NULL };

      soup_session_websocket_connect_async (bench->session, msg, NULL,
                                            bench->target == TARGET_TACK ? tack_protocols : NULL,
                                            G_PRIORITY_DEFAULT, bench->cancellable, on_ws_connected, sub);
    }
}

static gboolean
on_idle_done (gpointer user_data)
{
  Bench *bench = user_data;

  bench->rss_idle_kib = read_rss_kib (bench->server_pid);
  if (bench->n_events == 0 || bench->n_live == 0)
    finish (bench);
  else if (bench->resync_mode)
    resync_begin (bench);
  else
    start_publishing (bench);
  return G_SOURCE_REMOVE;
}

static void
connect_more (Bench *bench)
{
  guint limit = bench->connect_concurrency ? bench->connect_concurrency : G_MAXUINT;

  while (bench->next_connect < bench->n_subs && bench->connecting < limit)
    connect_one (&bench->subs[bench->next_connect++]);

  if (bench->next_connect == bench->n_subs && bench->connecting == 0 && bench->pub_start_ns == 0
      && bench->storm_start_ns != 0 && !bench->finished)
    {
      /* Everyone is live (or failed): let the server settle, then weigh it. */
      bench->pub_start_ns = -1;
      bench->client_cpu_connect = tack_bench_cpu_mark (&bench->cpu);
      if (bench->ready_file != NULL)
        g_file_set_contents (bench->ready_file, "live\n", -1, NULL);
      g_timeout_add (bench->idle_ms, on_idle_done, bench);
    }
}

/* ------------------------------------------------------------ publisher */

static char *
publish_body (Bench *bench,
              guint  index,
              Slot  *slot)
{
  gint64 t = now_ns ();

  if (bench->target == TARGET_TACK)
    return g_strdup_printf ("{\"op\": \"" STAMP "%u:%" G_GINT64_FORMAT ":%d\", \"base_version\": %" G_GINT64_FORMAT
                            ", \"column\": \"%s\", \"after\": null}",
                            index, t, g_random_int_range (0, 1 << 30), slot->version,
                            bench->columns[slot->flip ? 0 : 1]);

  /* The same envelope Tack sends for a card.moved event, padded to --size. */
  return g_strdup_printf ("{\"seq\":%u,\"type\":\"card.moved\",\"op\":\"" STAMP "%u:%" G_GINT64_FORMAT "\","
                          "\"actor\":null,\"data\":{\"card\":{\"id\":\"c1\",\"column\":\"k2\",\"position\":\"a0\","
                          "\"version\":%u,\"title\":\"%s\"}}}",
                          index + 1, index, t, index + 2, bench->padding);
}

static void
on_published (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Slot *slot = user_data;
  Bench *bench = slot->bench;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  guint status = soup_message_get_status (msg);

  bench->acked++;
  {
    guint32 us = (guint32)((now_ns () - slot->sent_ns) / 1000);
    g_array_append_val (bench->publish_us, us);
  }
  if (reply == NULL || status < 200 || status >= 300)
    {
      bench->publish_errors++;
      if (bench->publish_errors < 5)
        g_printerr ("tack-bench: publish: %s (HTTP %u) %.*s\n", error ? error->message : "failed", status,
                    reply ? (int)MIN (g_bytes_get_size (reply), 200) : 0,
                    reply ? (const char *)g_bytes_get_data (reply, NULL) : "");
    }
  if (reply != NULL && bench->target == TARGET_TACK)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      /* The card's version, from the moved card or a conflict's "current". */
      if (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL)
          && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *root = json_node_get_object (json_parser_get_root (parser));
          JsonNode *card = json_object_get_member (root, "card");

          if (card == NULL)
            card = json_object_get_member (root, "current");
          if (card != NULL && JSON_NODE_HOLDS_OBJECT (card))
            slot->version = json_object_get_int_member (json_node_get_object (card), "version");
        }
      slot->flip = !slot->flip;
    }

  if (bench->finished)
    return;
  if (bench->resync_mode)
    {
      /* The first reply is the event received before leaving; the missed
       * events go out once the subscriber is away, each slot's next one
       * after its last reply (it carries the card's version). */
      if (!bench->resync_warm_acked)
        {
          bench->resync_warm_acked = TRUE;
          resync_maybe_publish (bench);
        }
      else if (bench->published < bench->n_events)
        send_publish (bench, bench->published++, slot);
      else if (bench->acked == bench->n_events)
        resync_reconnect (bench);
      return;
    }
  if (!bench->latency_mode)
    {
      if (bench->published < bench->n_events)
        send_publish (bench, bench->published++, slot);
      else if (bench->acked == bench->n_events && bench->delivered == bench->expected)
        finish (bench);
    }
  else if (reply == NULL || status >= 300 || bench->per_event[bench->published - 1] >= bench->n_live)
    publish_next (bench);
}

static void
send_publish (Bench *bench,
              guint  index,
              Slot  *slot)
{
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  char *body = publish_body (bench, index, slot);
  g_autoptr(GBytes) bytes = g_bytes_new_take (body, strlen (body));

  /* A peer's message is the body published; Tack's is the event it sends. */
  if (bench->resync_mode && index > 0 && bench->target != TARGET_TACK)
    bench->resync_raw_bytes += strlen (body);

  if (bench->target == TARGET_TACK)
    uri = g_strdup_printf ("%s/api/v1/boards/%s/cards/%s/move", bench->url, bench->board, slot->card_id);
  else
    uri = g_strdup_printf ("%s/pub/%s", bench->url, bench->board);
  msg = soup_message_new ("POST", uri);
  if (bench->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", bench->token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  /* Keep-alive for the publisher: without this flag libsoup opens a new
   * connection for every POST (it is not idempotent) and closes old ones. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  slot->sent_ns = now_ns ();
  soup_session_send_and_read_async (bench->pub_session, msg, G_PRIORITY_HIGH, bench->cancellable,
                                    on_published, slot);
}

/* Latency mode: one event at a time, the next once every live subscriber has the last. */
static void
publish_next (Bench *bench)
{
  if (bench->published >= bench->n_events)
    {
      finish (bench);
      return;
    }
  send_publish (bench, bench->published++, &bench->slots[0]);
}

/* ---------------------------------------------------------------- resync */

/* Where the stream was: Tack's seq, socket.io's packet offset (the last
 * element of the event's array), nchan's message id (the meta frame's
 * first line). */
static char *
resume_point (Bench      *bench,
              const char *data,
              gsize       len)
{
  const char *p;

  switch (bench->target)
    {
    case TARGET_TACK:
      p = g_strstr_len (data, MIN (len, 32), "\"seq\":");
      return p ? g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (p + 6, NULL, 10)) : NULL;

    case TARGET_SOCKETIO:
      if (len < 4 || data[len - 1] != ']' || data[len - 2] != '"')
        return NULL;
      for (p = data + len - 3; p > data && *p != '"'; p--)
        ;
      return p > data ? g_strndup (p + 1, data + len - 2 - (p + 1)) : NULL;

    case TARGET_NCHAN:
      if (len < 4 || memcmp (data, "id: ", 4) != 0 || (p = memchr (data, '\n', len)) == NULL)
        return NULL;
      return g_strndup (data + 4, p - (data + 4));

    case TARGET_WS:
    default:
      return NULL;
    }
}

static void
resync_maybe_publish (Bench *bench)
{
  if (!bench->resync_away || !bench->resync_warm_acked || bench->resync_publishing)
    return;
  bench->resync_publishing = TRUE;
  for (guint i = 0; i < bench->window && bench->published < bench->n_events; i++)
    send_publish (bench, bench->published++, &bench->slots[i]);
}

static gboolean
resync_away (gpointer user_data)
{
  Bench *bench = user_data;

  bench->resync_away = TRUE;
  resync_maybe_publish (bench);
  return G_SOURCE_REMOVE;
}

static void
resync_on_event (Sub        *sub,
                 guint       index,
                 const char *data,
                 gsize       len)
{
  Bench *bench = sub->bench;

  if (bench->resync_phase == 1 && index == 0)
    {
      bench->resume_id = resume_point (bench, data, len);
      if (bench->resume_id == NULL)
        {
          g_printerr ("tack-bench: resync: no resume point in %.*s\n", (int)MIN (len, 120), data);
          finish (bench);
          return;
        }
      /* Gone without a goodbye, as a dropped connection is. */
      bench->resync_phase = 2;
      sub_close_fd (sub);
      sub->live = FALSE;
      bench->n_live--;
      /* Let the server notice before it publishes (socket.io keeps the
       * session of a socket closed under it, not of one still open). */
      g_timeout_add (200, resync_away, bench);
      return;
    }

  if (bench->resync_phase == 3 && index > 0 && bench->per_event[index] == 1)
    {
      bench->resync_received++;
      bench->resync_payload_bytes += len;
      if (bench->target == TARGET_TACK)
        bench->resync_raw_bytes += len;
      if (bench->resync_received == bench->missed)
        {
          bench->resync_end_ns = now_ns ();
          bench->last_delivery_ns = bench->resync_end_ns;
          finish (bench);
        }
    }
}

static void
resync_reconnect (Bench *bench)
{
  Sub *sub = &bench->subs[0];

  bench->resync_phase = 3;
  if (bench->target == TARGET_TACK)
    bench->since = g_ascii_strtoll (bench->resume_id, NULL, 10);
  sub->in_len = 0;
  sub->chunked = FALSE;
  sub->chunk_state = CHUNK_SIZE;
  sub->chunk_left = 0;
  sub->failed = FALSE;
  bench->connecting++;
  bench->resync_start_ns = now_ns ();
  sub->connect_start_ns = bench->resync_start_ns;
  epoll_connect (sub);
}

static void
resync_begin (Bench *bench)
{
  tack_bench_cpu_mark (&bench->cpu);
  bench->pub_start_ns = now_ns ();
  bench->last_progress_ns = bench->pub_start_ns;
  bench->resync_phase = 1;
  send_publish (bench, bench->published++, &bench->slots[0]);
}

static gboolean
on_watchdog (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 t = now_ns ();

  /* No delivery for a while: whatever is missing is lost. */
  if (t - bench->last_progress_ns > bench->stall_s * G_GINT64_CONSTANT (1000000000))
    {
      if (bench->latency_mode && bench->published < bench->n_events)
        {
          bench->last_progress_ns = t;
          publish_next (bench);
          return G_SOURCE_CONTINUE;
        }
      bench->watchdog_id = 0;
      finish (bench);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
start_publishing (Bench *bench)
{
  bench->expected = (guint64)bench->n_events * bench->n_live;
  tack_bench_cpu_mark (&bench->cpu);
  bench->pub_start_ns = now_ns ();
  bench->last_progress_ns = bench->pub_start_ns;
  bench->watchdog_id = g_timeout_add (250, on_watchdog, bench);

  if (bench->latency_mode)
    publish_next (bench);
  else
    for (guint i = 0; i < bench->window && bench->published < bench->n_events; i++)
      send_publish (bench, bench->published++, &bench->slots[i]);
}

/* --------------------------------------------------------------- report */

static int
cmp_u32 (gconstpointer a,
         gconstpointer b)
{
  guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
  return x < y ? -1 : x > y;
}

static int
cmp_u64 (gconstpointer a,
         gconstpointer b)
{
  guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
  return x < y ? -1 : x > y;
}

static double
pct_u32 (GArray *a,
         double  p)
{
  if (a->len == 0)
    return -1;
  return g_array_index (a, guint32, MIN ((guint)(p * a->len), a->len - 1));
}

static double
pct_u64 (GArray *a,
         double  p)
{
  if (a->len == 0)
    return -1;
  return g_array_index (a, guint64, MIN ((guint)(p * a->len), a->len - 1));
}

static const char *
target_name (Target t)
{
  static const char *names[] = { "tack", "ws", "socketio", "nchan" };
  return names[t];
}

static void
finish (Bench *bench)
{
  double elapsed_s = 0, storm_s = 0;

  if (bench->finished)
    return;
  bench->finished = TRUE;
  bench->client_cpu_publish = bench->pub_start_ns > 0 ? tack_bench_cpu_mark (&bench->cpu) : 0;
  bench->rss_end_kib = read_rss_kib (bench->server_pid);
  g_cancellable_cancel (bench->cancellable);

  g_array_sort (bench->latency_us, cmp_u32);
  g_array_sort (bench->connect_us, cmp_u64);
  g_array_sort (bench->publish_us, cmp_u32);
  if (bench->pub_start_ns > 0 && bench->last_delivery_ns > bench->pub_start_ns)
    elapsed_s = (bench->last_delivery_ns - bench->pub_start_ns) / 1e9;
  if (bench->storm_end_ns > bench->storm_start_ns)
    storm_s = (bench->storm_end_ns - bench->storm_start_ns) / 1e9;

  g_print ("{\"target\": \"%s\", \"transport\": \"%s\", \"mode\": \"%s\", \"subs\": %u, \"live\": %u, "
           "\"failed\": %u, \"events\": %u, \"published\": %u, \"publish_errors\": %u, "
           "\"delivered\": %" G_GUINT64_FORMAT ", \"expected\": %" G_GUINT64_FORMAT ", "
           "\"elapsed_s\": %.4f, \"events_per_s\": %.1f, "
           "\"latency_us\": {\"p50\": %.0f, \"p99\": %.0f, \"max\": %.0f}, "
           "\"publish_reply_us\": {\"p50\": %.0f, \"p99\": %.0f}, "
           "\"connect_all_s\": %.4f, \"connect_us\": {\"p50\": %.0f, \"p99\": %.0f, \"max\": %.0f}, "
           "\"frame_bytes\": %.1f, "
           "\"server_rss_kib\": {\"base\": %" G_GSIZE_FORMAT ", \"idle\": %" G_GSIZE_FORMAT ", \"end\": %" G_GSIZE_FORMAT "}, "
           "\"rss_per_sub_kib\": %.2f, "
           "\"client_cpu\": {\"connect\": %.3f, \"publish\": %.3f}, "
           "\"resync\": {\"missed\": %u, \"received\": %u, \"ms\": %.3f, \"rx_bytes\": %" G_GUINT64_FORMAT ", "
           "\"payload_bytes\": %" G_GUINT64_FORMAT ", \"raw_bytes\": %" G_GUINT64_FORMAT "}}\n",
           target_name (bench->target), bench->sse ? "sse" : "ws", bench->latency_mode ? "latency" : "flood",
           bench->n_subs, bench->n_live, bench->n_failed, bench->n_events, bench->published, bench->publish_errors,
           bench->delivered, bench->expected,
           elapsed_s, elapsed_s > 0 ? bench->delivered / elapsed_s : 0,
           pct_u32 (bench->latency_us, 0.50), pct_u32 (bench->latency_us, 0.99),
           bench->latency_us->len ? (double)g_array_index (bench->latency_us, guint32, bench->latency_us->len - 1) : -1,
           pct_u32 (bench->publish_us, 0.50), pct_u32 (bench->publish_us, 0.99),
           storm_s, pct_u64 (bench->connect_us, 0.50), pct_u64 (bench->connect_us, 0.99),
           bench->connect_us->len ? (double)g_array_index (bench->connect_us, guint64, bench->connect_us->len - 1) : -1,
           bench->frame_count ? (double)bench->frame_bytes / bench->frame_count : 0,
           bench->rss_base_kib, bench->rss_idle_kib, bench->rss_end_kib,
           bench->n_live && bench->rss_idle_kib ? ((double)bench->rss_idle_kib - bench->rss_base_kib) / bench->n_live : 0,
           bench->client_cpu_connect, bench->client_cpu_publish,
           bench->missed, bench->resync_received,
           bench->resync_end_ns > 0 ? (bench->resync_end_ns - bench->resync_start_ns) / 1e6 : -1.0,
           bench->resync_rx_bytes, bench->resync_payload_bytes, bench->resync_raw_bytes);

  if (bench->resync_mode)
    {
      if (bench->resync_received < bench->missed || bench->publish_errors > 0 || bench->n_failed > 0)
        bench->exit_code = 2;
    }
  else if (bench->n_failed > 0 || bench->n_live < bench->n_subs || bench->delivered < bench->expected
           || bench->publish_errors > 0)
    bench->exit_code = 2;
  g_main_loop_quit (bench->loop);
}

static gboolean
on_timeout (gpointer user_data)
{
  Bench *bench = user_data;

  g_printerr ("tack-bench: timed out\n");
  bench->timeout_id = 0;
  finish (bench);
  return G_SOURCE_REMOVE;
}

static gboolean
on_start (gpointer user_data)
{
  Bench *bench = user_data;

  bench->rss_base_kib = read_rss_kib (bench->server_pid);
  tack_bench_cpu_mark (&bench->cpu);
  bench->storm_start_ns = now_ns ();
  connect_more (bench);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  Bench bench = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;
  g_autofree char *transport = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *client = NULL;
  int batch_ms = 10, stall_s = 3, missed = 1000;
  int subs = 10, events = 100, window = 8, size = 200, concurrency = 100, timeout = 120, idle_ms = 1000;
  GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "tack, ws, socketio or nchan", "NAME" },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport, "ws or sse", "NAME" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &bench.url, "Server base URL (http://host:port)", "URL" },
    { "admin-token", 0, 0, G_OPTION_ARG_STRING, &bench.admin_token, "Tack admin token (default $TACK_ADMIN_TOKEN)", "TOKEN" },
    { "board", 0, 0, G_OPTION_ARG_STRING, &bench.board, "Board/channel id (Tack: with --token)", "ID" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &bench.token, "Board token", "TOKEN" },
    { "subs", 'n', 0, G_OPTION_ARG_INT, &subs, "Subscribers", "N" },
    { "events", 'e', 0, G_OPTION_ARG_INT, &events, "Events to publish (0: connect only)", "M" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "flood (throughput), latency (one at a time) or resync", "MODE" },
    { "missed", 0, 0, G_OPTION_ARG_INT, &missed, "Resync mode: events published while away (default 1000)", "M" },
    { "window", 'w', 0, G_OPTION_ARG_INT, &window, "Publishes in flight in flood mode", "W" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Peer message size in bytes", "BYTES" },
    { "connect-concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency, "Connects in flight (0: all at once)", "C" },
    { "server-pid", 'p', 0, G_OPTION_ARG_INT, &bench.server_pid, "Server process to weigh (VmRSS)", "PID" },
    { "idle-ms", 0, 0, G_OPTION_ARG_INT, &idle_ms, "Settle time before weighing and publishing", "MS" },
    { "stall-s", 0, 0, G_OPTION_ARG_INT, &stall_s, "Count what is missing as lost after S seconds without a delivery", "S" },
    { "batch-ms", 0, 0, G_OPTION_ARG_INT, &batch_ms, "Flood mode: read subscribers every MS (0: as data comes)", "MS" },
    { "client", 0, 0, G_OPTION_ARG_STRING, &client, "Subscriber implementation: epoll (default) or soup", "NAME" },
    { "ready-file", 0, 0, G_OPTION_ARG_FILENAME, &bench.ready_file, "Written once every subscriber is live", "PATH" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this many seconds", "S" },
    { NULL }
  };

  context = g_option_context_new ("- load client for Tack and its peers");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("tack-bench: %s\n", error->message);
      return 1;
    }

  if (target == NULL || g_str_equal (target, "tack"))
    bench.target = TARGET_TACK;
  else if (g_str_equal (target, "ws"))
    bench.target = TARGET_WS;
  else if (g_str_equal (target, "socketio"))
    bench.target = TARGET_SOCKETIO;
  else if (g_str_equal (target, "nchan"))
    bench.target = TARGET_NCHAN;
  else
    {
      g_printerr ("tack-bench: unknown target %s\n", target);
      return 1;
    }
  bench.sse = transport != NULL && g_str_equal (transport, "sse");
  bench.latency_mode = mode != NULL && g_str_equal (mode, "latency");
  bench.soup_client = client != NULL && g_str_equal (client, "soup");
  bench.resync_mode = mode != NULL && g_str_equal (mode, "resync");
  if (bench.resync_mode)
    {
      /* One subscriber; one event before it leaves, the missed ones after. */
      if (bench.target == TARGET_WS || bench.sse || bench.soup_client || missed < 1)
        {
          g_printerr ("tack-bench: resync needs --target tack, socketio or nchan over WebSocket, and --missed > 0\n");
          return 1;
        }
      bench.missed = missed;
      subs = 1;
      events = 1 + missed;
    }
  bench.batch_ms = MAX (batch_ms, 0);
  bench.stall_s = MAX (stall_s, 1);
  if (!tack_bench_check_url (bench.url, &error))
    {
      g_printerr ("tack-bench: %s\n", error->message);
      return 1;
    }
  if (subs < 0 || events < 0 || window < 1 || (bench.sse && bench.target != TARGET_TACK
                                               && bench.target != TARGET_NCHAN))
    {
      g_printerr ("tack-bench: SSE only against tack and nchan\n");
      return 1;
    }
  if (bench.admin_token == NULL)
    bench.admin_token = g_strdup (g_getenv ("TACK_ADMIN_TOKEN"));
  if (bench.board == NULL && bench.target != TARGET_TACK)
    bench.board = g_strdup_printf ("b%08x", g_random_int ());

  bench.n_subs = subs;
  /* Before the storm's clock: each subscriber's socket, and a few for the
   * publisher and the session (socket() at the 256th and 512th took 5 and
   * 9 ms here while the table grew). */
  tack_reserve_descriptors (subs + 64);
  bench.n_events = events;
  bench.window = bench.latency_mode ? 1 : window;
  bench.size = size;
  bench.connect_concurrency = concurrency;
  bench.timeout_s = timeout;
  bench.idle_ms = idle_ms;
  bench.subs = g_new0 (Sub, MAX (subs, 1));
  for (guint i = 0; i < bench.n_subs; i++)
    {
      bench.subs[i].bench = &bench;
      bench.subs[i].index = i;
      bench.subs[i].fd = -1;
    }
  bench.per_event = g_new0 (guint, MAX (events, 1));
  bench.latency_us = g_array_sized_new (FALSE, FALSE, sizeof (guint32), MIN ((guint64)subs * events, 4000000));
  bench.publish_us = g_array_new (FALSE, FALSE, sizeof (guint32));
  bench.connect_us = g_array_sized_new (FALSE, FALSE, sizeof (guint64), subs);
  bench.cancellable = g_cancellable_new ();
  bench.loop = g_main_loop_new (NULL, FALSE);

  /* Compression off everywhere: without the extension manager no deflate is offered. */
  bench.session = soup_session_new_with_options ("max-conns", subs + 16, "max-conns-per-host", subs + 16,
                                                 "timeout", 0, "idle-timeout", 0, NULL);
  soup_session_remove_feature_by_type (bench.session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  bench.pub_session = soup_session_new_with_options ("max-conns", window + 4, "max-conns-per-host", window + 4,
                                                     "timeout", 30, NULL);

  {
    /* The card.moved envelope around the title is about 150 bytes. */
    guint pad = size > 150 ? size - 150 : 1;
    bench.padding = g_malloc (pad + 1);
    memset (bench.padding, 'x', pad);
    bench.padding[pad] = 0;
  }

  if (!bench.soup_client && !epoll_setup (&bench, &error))
    {
      g_printerr ("tack-bench: %s\n", error->message);
      return 1;
    }

  if (bench.target == TARGET_TACK)
    {
      if (!setup_tack (&bench, &error))
        {
          g_printerr ("tack-bench: setup: %s\n", error->message);
          return 1;
        }
    }
  else
    {
      bench.slots = g_new0 (Slot, bench.window);
      for (guint i = 0; i < bench.window; i++)
        bench.slots[i].bench = &bench;
    }

  g_idle_add (on_start, &bench);
  bench.timeout_id = g_timeout_add_seconds (bench.timeout_s, on_timeout, &bench);
  g_main_loop_run (bench.loop);

  return bench.exit_code;
}
