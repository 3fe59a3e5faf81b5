/* tack-presence.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Another user on the board, as their last presence frame said: viewing
 * it, dragging a card or editing one. Updated in place, so a row bound to
 * it follows along.
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include "tack-presence-private.h"

struct _TackPresence
{
  GObject   parent_instance;

  char     *user;
  char     *dragging;
  char     *editing;
  gboolean  viewing;
};

G_DEFINE_FINAL_TYPE (TackPresence, tack_presence, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USER,
  PROP_VIEWING,
  PROP_DRAGGING,
  PROP_EDITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tack_presence_finalize (GObject *object)
{
  TackPresence *self = (TackPresence *)object;

  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->dragging, g_free);
  g_clear_pointer (&self->editing, g_free);

  G_OBJECT_CLASS (tack_presence_parent_class)->finalize (object);
}

static void
tack_presence_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TackPresence *self = TACK_PRESENCE (object);

  switch (prop_id)
    {
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_VIEWING:
      g_value_set_boolean (value, self->viewing);
      break;

    case PROP_DRAGGING:
      g_value_set_string (value, self->dragging);
      break;

    case PROP_EDITING:
      g_value_set_string (value, self->editing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_presence_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TackPresence *self = TACK_PRESENCE (object);

  switch (prop_id)
    {
    case PROP_USER:
      self->user = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_presence_class_init (TackPresenceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tack_presence_finalize;
  object_class->get_property = tack_presence_get_property;
  object_class->set_property = tack_presence_set_property;

  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_VIEWING] =
    g_param_spec_boolean ("viewing", NULL, NULL, FALSE, flags);
  properties[PROP_DRAGGING] =
    g_param_spec_string ("dragging", NULL, NULL, NULL, flags);
  properties[PROP_EDITING] =
    g_param_spec_string ("editing", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_presence_init (TackPresence *self)
{
}

TackPresence *
tack_presence_new (const char *user)
{
  return g_object_new (TACK_TYPE_PRESENCE, "user", user, NULL);
}

static void
set_string (TackPresence *self,
            char        **field,
            const char   *value,
            guint         prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
tack_presence_update (TackPresence *self,
                      JsonObject   *state)
{
  gboolean viewing;

  g_return_if_fail (TACK_IS_PRESENCE (self));

  viewing = state && json_object_get_boolean_member_with_default (state, "viewing", FALSE);
  if (viewing != self->viewing)
    {
      self->viewing = viewing;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEWING]);
    }

  set_string (self, &self->dragging,
              state ? json_object_get_string_member_with_default (state, "dragging", NULL) : NULL,
              PROP_DRAGGING);
  set_string (self, &self->editing,
              state ? json_object_get_string_member_with_default (state, "editing", NULL) : NULL,
              PROP_EDITING);
}

const char *
tack_presence_get_user (TackPresence *self)
{
  g_return_val_if_fail (TACK_IS_PRESENCE (self), NULL);

  return self->user;
}

gboolean
tack_presence_get_viewing (TackPresence *self)
{
  g_return_val_if_fail (TACK_IS_PRESENCE (self), FALSE);

  return self->viewing;
}

const char *
tack_presence_get_dragging (TackPresence *self)
{
  g_return_val_if_fail (TACK_IS_PRESENCE (self), NULL);

  return self->dragging;
}

const char *
tack_presence_get_editing (TackPresence *self)
{
  g_return_val_if_fail (TACK_IS_PRESENCE (self), NULL);

  return self->editing;
}
