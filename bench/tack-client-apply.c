/* tack-client-apply.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client-apply scenario of bench/ (docs/performance.md): how many
 * card.moved events per second TackDispatcher applies into a TackStore that
 * holds a 10,000-card board, against the ceiling of the same work done on a
 * plain GHashTable of structs. Both sides get the same already-parsed
 * JsonNode frames (the transport parses a frame once, before either), so
 * the ratio is the cost of the store: identity map, version check, ordered
 * column models and GObject notifications. No network: the snapshot is
 * loaded straight into the store. Prints one JSON object.
 *
 * By default every frame is parsed before the clock starts, so the frames
 * stream through the caches cold, hundreds of megabytes of them. A live
 * client parses each frame just before it dispatches it; --batch N does
 * that, N frames at a time: each side parses a batch off the clock, then
 * applies it on the clock, the two sides taking turns batch by batch.
 */

#include "config.h"

#include <time.h>

#include <json-glib/json-glib.h>

#include "tack-api.h"
#include "tack-dispatcher.h"
#include "tack-store.h"

typedef struct
{
  char  *column;
  char  *position;
  gint64 version;
} PlainCard;

static void
plain_card_free (gpointer data)
{
  PlainCard *card = data;

  g_free (card->column);
  g_free (card->position);
  g_free (card);
}

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static const char *columns[] = { "col-a", "col-b" };

static char *
card_json (guint       i,
           const char *column,
           const char *position,
           gint64      version)
{
  return g_strdup_printf ("{\"id\": \"card-%05u\", \"column\": \"%s\", \"title\": \"Card number %u\", "
                          "\"description\": \"\", \"position\": \"%s\", \"labels\": [], \"assignees\": [], "
                          "\"due\": null, \"version\": %" G_GINT64_FORMAT ", "
                          "\"updated_at\": \"2026-11-25T06:00:00Z\", \"updated_by\": \"bench\"}",
                          i, column, i, position, version);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("%s", error->message);
  return json_node_copy (json_parser_get_root (parser));
}

/* Parses frames [from, to) of @texts, off the clock. */
static GPtrArray *
parse_batch (GPtrArray *texts,
             guint      from,
             guint      to)
{
  GPtrArray *frames = g_ptr_array_new_full (to - from, (GDestroyNotify)json_node_unref);

  for (guint e = from; e < to; e++)
    g_ptr_array_add (frames, parse (g_ptr_array_index (texts, e)));
  return frames;
}

/* Tack: the dispatcher into the store. Returns the nanoseconds it took.
 * Not inlined, so that callgrind's --toggle-collect can name either side. */
G_GNUC_NO_INLINE static gint64
apply_to_store (TackDispatcher *dispatcher,
                GPtrArray      *frames)
{
  gint64 t0 = now_ns ();

  for (guint e = 0; e < frames->len; e++)
    tack_dispatcher_dispatch (dispatcher, g_ptr_array_index (frames, e));
  return now_ns () - t0;
}

/* The ceiling: the same frames into a hash table of plain structs. */
G_GNUC_NO_INLINE static gint64
apply_to_plain (GHashTable *plain,
                GPtrArray  *frames)
{
  gint64 t0 = now_ns ();

  for (guint e = 0; e < frames->len; e++)
    {
      JsonObject *frame = json_node_get_object (g_ptr_array_index (frames, e));
      JsonObject *o = json_object_get_object_member (json_object_get_object_member (frame, "data"), "card");
      PlainCard *card = g_hash_table_lookup (plain, json_object_get_string_member (o, "id"));
      gint64 version = json_object_get_int_member (o, "version");

      if (card == NULL || version <= card->version)
        continue;
      card->version = version;
      g_free (card->column);
      card->column = g_strdup (json_object_get_string_member (o, "column"));
      g_free (card->position);
      card->position = g_strdup (json_object_get_string_member (o, "position"));
    }
  return now_ns () - t0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) snapshot = g_string_new (NULL);
  g_autoptr(JsonNode) snapshot_node = NULL;
  g_autoptr(TackStore) store = NULL;
  g_autoptr(TackApi) api = NULL;
  g_autoptr(TackDispatcher) dispatcher = NULL;
  g_autoptr(GHashTable) plain = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree gint64 *versions = NULL;
  g_autofree guint8 *in_b = NULL;
  int n_cards = 10000, n_events = 100000, batch = 0;
  gint64 t_store = 0, t_plain = 0;
  double store_rate, plain_rate;
  GOptionEntry entries[] = {
    { "cards", 'c', 0, G_OPTION_ARG_INT, &n_cards, "Cards on the board", "N" },
    { "events", 'e', 0, G_OPTION_ARG_INT, &n_events, "card.moved events to apply", "M" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch,
      "Parse the frames B at a time, just before they are applied (default: all of them first)", "B" },
    { NULL }
  };

  context = g_option_context_new ("- events/s into a TackStore vs a plain hash table");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_cards < 1 || n_events < 1 || batch < 0)
    {
      g_printerr ("tack-client-apply: %s\n", error ? error->message : "bad arguments");
      return 1;
    }

  /* The board: two columns, n_cards cards in the first. */
  g_string_append (snapshot, "{\"board\": {\"id\": \"board-bench\", \"title\": \"Bench\", \"version\": 1, \"seq\": 0}, "
                             "\"columns\": [");
  for (guint c = 0; c < 2; c++)
    g_string_append_printf (snapshot, "%s{\"id\": \"%s\", \"board\": \"board-bench\", \"title\": \"%s\", "
                                      "\"position\": \"a%u\", \"wip_limit\": null, \"version\": 1}",
                            c ? ", " : "", columns[c], columns[c], c);
  g_string_append (snapshot, "], \"cards\": [");
  versions = g_new0 (gint64, n_cards);
  in_b = g_new0 (guint8, n_cards);
  for (guint i = 0; i < (guint)n_cards; i++)
    {
      g_autofree char *position = g_strdup_printf ("k%08u", i * 16);
      g_autofree char *card = card_json (i, columns[0], position, 1);

      versions[i] = 1;
      g_string_append_printf (snapshot, "%s%s", i ? ", " : "", card);
    }
  g_string_append (snapshot, "], \"seq\": 0}");
  snapshot_node = parse (snapshot->str);

  /* The events: random cards moved to a random place. */
  for (guint e = 0; e < (guint)n_events; e++)
    {
      guint i = g_random_int_range (0, n_cards);
      g_autofree char *position = g_strdup_printf ("k%08u", g_random_int_range (0, n_cards * 16));
      g_autofree char *card = NULL;

      in_b[i] = !in_b[i];
      versions[i]++;
      card = card_json (i, columns[in_b[i]], position, versions[i]);
      g_ptr_array_add (texts, g_strdup_printf ("{\"seq\": %u, \"type\": \"card.moved\", \"op\": null, "
                                               "\"actor\": \"bench\", \"data\": {\"card\": %s}}", e + 1, card));
    }

  store = tack_store_new ();
  if (!tack_store_load_snapshot (store, snapshot_node, &error))
    {
      g_printerr ("tack-client-apply: snapshot: %s\n", error->message);
      return 1;
    }
  api = tack_api_new ("http://127.0.0.1:9", "board-bench", "unused");
  dispatcher = tack_dispatcher_new (store, api);

  plain = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, plain_card_free);
  {
    JsonArray *cards = json_object_get_array_member (json_node_get_object (snapshot_node), "cards");

    for (guint i = 0; i < json_array_get_length (cards); i++)
      {
        JsonObject *o = json_array_get_object_element (cards, i);
        PlainCard *card = g_new0 (PlainCard, 1);

        card->column = g_strdup (json_object_get_string_member (o, "column"));
        card->position = g_strdup (json_object_get_string_member (o, "position"));
        card->version = json_object_get_int_member (o, "version");
        g_hash_table_insert (plain, g_strdup (json_object_get_string_member (o, "id")), card);
      }
  }

  /* Batch by batch, each side parses its own copy of the frames. With
   * no --batch both sides read the same frames, parsed once, in the
   * order they were allocated. */
  if (batch == 0 || batch >= n_events)
    {
      g_autoptr(GPtrArray) frames = parse_batch (texts, 0, texts->len);

      batch = n_events;
      t_store = apply_to_store (dispatcher, frames);
      t_plain = apply_to_plain (plain, frames);
    }
  else
    {
      for (guint from = 0; from < texts->len; from += batch)
        {
          guint to = MIN (texts->len, from + (guint)batch);
          g_autoptr(GPtrArray) store_frames = parse_batch (texts, from, to);
          g_autoptr(GPtrArray) plain_frames = NULL;

          t_store += apply_to_store (dispatcher, store_frames);
          g_clear_pointer (&store_frames, g_ptr_array_unref);
          plain_frames = parse_batch (texts, from, to);
          t_plain += apply_to_plain (plain, plain_frames);
        }
    }
  if (tack_dispatcher_get_seq (dispatcher) != n_events)
    {
      g_printerr ("tack-client-apply: the store stopped at seq %" G_GINT64_FORMAT " of %d\n",
                  tack_dispatcher_get_seq (dispatcher), n_events);
      return 2;
    }

  store_rate = n_events / (t_store / 1e9);
  plain_rate = n_events / (t_plain / 1e9);
  g_print ("{\"scenario\": \"client-apply\", \"cards\": %d, \"events\": %d, \"batch\": %d, "
           "\"store_events_per_s\": %.0f, \"hashtable_events_per_s\": %.0f, \"ratio\": %.4f}\n",
           n_cards, n_events, batch, store_rate, plain_rate, store_rate / plain_rate);
  return 0;
}
