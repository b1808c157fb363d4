"""The notifications centre: plugins emit typed notifications (`notify`); the core stores the in-app ones,
applies each person's preferences (mail at once, in the daily digest, or none; in-app on or off) and sends the
mail through portal.mail.

A plugin declares its kinds with `Plugin.notification_kinds()` (`NotificationKind`, with sensible defaults);
people change them on /notifications/preferences.
"""

from portal.notifications.kinds import MailMode, NotificationKind, notification_kinds
from portal.notifications.service import mark_all_read, notify, unread_count

__all__ = ["MailMode", "NotificationKind", "mark_all_read", "notification_kinds", "notify", "unread_count"]
