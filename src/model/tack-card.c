/* tack-card.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One card of the board. There is exactly one TackCard per card id in a
 * store, and widgets bind to its properties; the store updates it in
 * place, emitting notify only for the properties that really changed.
 * Its strings other than the id are GRefStrings shared with the value it
 * shows (see TackCardValue). */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include "tack-card-private.h"
#include "tack-model-enums.h"

struct _TackCard
{
  GObject         parent_instance;

  char           *id;
  char           *column_id;
  char           *title;
  char           *description;
  char           *position;
  char          **labels;
  char          **assignees;
  char           *due;
  gint64          version;
  char           *updated_at;
  char           *updated_by;
  TackEntryState  state;
  guint           pending : 1;
};

G_DEFINE_FINAL_TYPE (TackCard, tack_card, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_COLUMN_ID,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_POSITION,
  PROP_LABELS,
  PROP_ASSIGNEES,
  PROP_DUE,
  PROP_VERSION,
  PROP_UPDATED_AT,
  PROP_UPDATED_BY,
  PROP_STATE,
  PROP_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* tack_card_apply_value() keeps the changed properties in a bit mask. */
G_STATIC_ASSERT (N_PROPS <= 32);

static void
tack_card_finalize (GObject *object)
{
  TackCard *self = (TackCard *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->column_id, g_ref_string_release);
  g_clear_pointer (&self->title, g_ref_string_release);
  g_clear_pointer (&self->description, g_ref_string_release);
  g_clear_pointer (&self->position, g_ref_string_release);
  g_clear_pointer (&self->labels, g_strfreev);
  g_clear_pointer (&self->assignees, g_strfreev);
  g_clear_pointer (&self->due, g_ref_string_release);
  g_clear_pointer (&self->updated_at, g_ref_string_release);
  g_clear_pointer (&self->updated_by, g_ref_string_release);

  G_OBJECT_CLASS (tack_card_parent_class)->finalize (object);
}

static void
tack_card_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TackCard *self = TACK_CARD (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_COLUMN_ID:
      g_value_set_string (value, self->column_id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;

    case PROP_POSITION:
      g_value_set_string (value, self->position);
      break;

    case PROP_LABELS:
      g_value_set_boxed (value, self->labels);
      break;

    case PROP_ASSIGNEES:
      g_value_set_boxed (value, self->assignees);
      break;

    case PROP_DUE:
      g_value_set_string (value, self->due);
      break;

    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_UPDATED_AT:
      g_value_set_string (value, self->updated_at);
      break;

    case PROP_UPDATED_BY:
      g_value_set_string (value, self->updated_by);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_PENDING:
      g_value_set_boolean (value, self->pending);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_card_class_init (TackCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tack_card_finalize;
  object_class->get_property = tack_card_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_COLUMN_ID] = g_param_spec_string ("column-id", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_POSITION] = g_param_spec_string ("position", NULL, NULL, NULL, flags);
  properties[PROP_LABELS] = g_param_spec_boxed ("labels", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_ASSIGNEES] = g_param_spec_boxed ("assignees", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_DUE] = g_param_spec_string ("due", NULL, NULL, NULL, flags);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_UPDATED_AT] = g_param_spec_string ("updated-at", NULL, NULL, NULL, flags);
  properties[PROP_UPDATED_BY] = g_param_spec_string ("updated-by", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL,
                                              TACK_TYPE_ENTRY_STATE, TACK_ENTRY_FRESH, flags);
  properties[PROP_PENDING] = g_param_spec_boolean ("pending", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_card_init (TackCard *self)
{
  self->title = g_ref_string_new ("");
  self->description = g_ref_string_new ("");
  self->position = g_ref_string_new ("");
  self->labels = g_new0 (char *, 1);
  self->assignees = g_new0 (char *, 1);
}

TackCard *
tack_card_new (const char *id)
{
  TackCard *self;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (TACK_TYPE_CARD, NULL);
  self->id = g_strdup (id);

  return self;
}

/* Stores @value in @field; returns whether it changed. */
static gboolean
swap_string (char       **field,
             const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* Makes *@field share @value, a GRefString or %NULL; returns whether it
 * changed. */
static gboolean
share_string (char **field,
              char  *value)
{
  if (*field == value || g_strcmp0 (*field, value) == 0)
    return FALSE;

  tack_ref_string_set (field, value);
  return TRUE;
}

static gboolean
swap_strv (char               ***field,
           const char * const   *value)
{
  static const char * const empty[] = { NULL };

  if (value == NULL)
    value = empty;

  if (g_strv_equal ((const char * const *)*field, value))
    return FALSE;

  g_strfreev (*field);
  *field = g_strdupv ((char **)value);
  return TRUE;
}

void
tack_card_set_id (TackCard   *self,
                  const char *id)
{
  g_return_if_fail (TACK_IS_CARD (self));
  g_return_if_fail (id != NULL);

  if (swap_string (&self->id, id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

static void
notify_changed (TackCard *self,
                guint     changed)
{
  for (guint prop = PROP_0 + 1; changed != 0 && prop < N_PROPS; prop++)
    if (changed & (1u << prop))
      {
        changed &= ~(1u << prop);
        g_object_notify_by_pspec ((GObject *)self, properties[prop]);
      }
}

/* Every field is in place before anyone hears of a change, as with
 * g_object_freeze_notify(), without the cost of its queue on every event:
 * a moved card changes three properties and most have no listener. */
void
tack_card_apply_value (TackCard            *self,
                       const TackCardValue *value)
{
  guint changed = 0;

  g_return_if_fail (TACK_IS_CARD (self));
  g_return_if_fail (value != NULL);

  changed |= share_string (&self->column_id, value->column) << PROP_COLUMN_ID;
  changed |= share_string (&self->title, value->title) << PROP_TITLE;
  changed |= share_string (&self->description, value->description) << PROP_DESCRIPTION;
  changed |= share_string (&self->position, value->position) << PROP_POSITION;
  changed |= swap_strv (&self->labels, (const char * const *)value->labels) << PROP_LABELS;
  changed |= swap_strv (&self->assignees, (const char * const *)value->assignees) << PROP_ASSIGNEES;
  changed |= share_string (&self->due, value->due) << PROP_DUE;
  changed |= share_string (&self->updated_at, value->updated_at) << PROP_UPDATED_AT;
  changed |= share_string (&self->updated_by, value->updated_by) << PROP_UPDATED_BY;

  if (self->version != value->version)
    {
      self->version = value->version;
      changed |= 1u << PROP_VERSION;
    }

  notify_changed (self, changed);
}

/* tack_card_apply_value() for a card known to show the value @fields were
 * just changed in: only those are taken, nothing is compared. */
void
tack_card_apply_changes (TackCard            *self,
                         const TackCardValue *value,
                         TackCardFields       fields)
{
  guint changed = 0;

  g_return_if_fail (TACK_IS_CARD (self));
  g_return_if_fail (value != NULL);

  if (fields & TACK_CARD_FIELD_COLUMN)
    {
      tack_ref_string_set (&self->column_id, value->column);
      changed |= 1u << PROP_COLUMN_ID;
    }
  if (fields & TACK_CARD_FIELD_TITLE)
    {
      tack_ref_string_set (&self->title, value->title);
      changed |= 1u << PROP_TITLE;
    }
  if (fields & TACK_CARD_FIELD_DESCRIPTION)
    {
      tack_ref_string_set (&self->description, value->description);
      changed |= 1u << PROP_DESCRIPTION;
    }
  if (fields & TACK_CARD_FIELD_POSITION)
    {
      tack_ref_string_set (&self->position, value->position);
      changed |= 1u << PROP_POSITION;
    }
  if (fields & TACK_CARD_FIELD_LABELS)
    changed |= swap_strv (&self->labels, (const char * const *)value->labels) << PROP_LABELS;
  if (fields & TACK_CARD_FIELD_ASSIGNEES)
    changed |= swap_strv (&self->assignees, (const char * const *)value->assignees) << PROP_ASSIGNEES;
  if (fields & TACK_CARD_FIELD_DUE)
    {
      tack_ref_string_set (&self->due, value->due);
      changed |= 1u << PROP_DUE;
    }
  if (fields & TACK_CARD_FIELD_UPDATED_AT)
    {
      tack_ref_string_set (&self->updated_at, value->updated_at);
      changed |= 1u << PROP_UPDATED_AT;
    }
  if (fields & TACK_CARD_FIELD_UPDATED_BY)
    {
      tack_ref_string_set (&self->updated_by, value->updated_by);
      changed |= 1u << PROP_UPDATED_BY;
    }
  if (fields & TACK_CARD_FIELD_VERSION)
    {
      self->version = value->version;
      changed |= 1u << PROP_VERSION;
    }

  notify_changed (self, changed);
}

void
tack_card_set_state (TackCard       *self,
                     TackEntryState  state)
{
  g_return_if_fail (TACK_IS_CARD (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
tack_card_set_pending (TackCard *self,
                       gboolean  pending)
{
  g_return_if_fail (TACK_IS_CARD (self));

  pending = !!pending;
  if (self->pending == pending)
    return;

  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

void
tack_card_key_func (gpointer     item,
                    const char **position,
                    const char **id)
{
  TackCard *self = item;

  *position = self->position;
  *id = self->id;
}

const char *
tack_card_get_id (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return self->id;
}

const char *
tack_card_get_column_id (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return self->column_id;
}

const char *
tack_card_get_title (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return self->title;
}

const char *
tack_card_get_description (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return self->description;
}

const char *
tack_card_get_position (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return self->position;
}

const char * const *
tack_card_get_labels (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return (const char * const *)self->labels;
}

const char * const *
tack_card_get_assignees (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return (const char * const *)self->assignees;
}

const char *
tack_card_get_due (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return self->due;
}

gint64
tack_card_get_version (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), 0);
  return self->version;
}

const char *
tack_card_get_updated_at (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return self->updated_at;
}

const char *
tack_card_get_updated_by (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), NULL);
  return self->updated_by;
}

TackEntryState
tack_card_get_state (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), TACK_ENTRY_FRESH);
  return self->state;
}

gboolean
tack_card_get_pending (TackCard *self)
{
  g_return_val_if_fail (TACK_IS_CARD (self), FALSE);
  return self->pending;
}
