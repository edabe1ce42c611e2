# Die Seiten des Backoffice, auf Deutsch. Wörter, die auch das Portal braucht (Anmeldung,
# Listen, Formulare, Fehler), stehen in portal.ftl.

staff-title = Backoffice
staff-sign-in-lead = Melden Sie sich mit Ihrem Mitarbeiterkonto an.
staff-nav-home = Meine Arbeit
staff-nav-settings = Einstellungen
staff-greeting = Hallo, { $name }

# Startseite
work-assigned = { $module }, mir zugewiesen
work-assigned-empty = Ihnen ist nichts Offenes zugewiesen.
work-waiting = { $module }, warten auf den Kunden
work-waiting-empty = Nichts wartet auf einen Kunden.
work-new = Neue { $module } von Kunden
work-new-empty = Keine neuen Anfragen von Kunden.
view-all = Alle ansehen

# Listen und Datensätze
filter-me = Ich
updated-at = Geändert
created-at = Erstellt
deleted = Der Datensatz wurde gelöscht.
delete-title = { $record } löschen
delete-question = { $record } löschen? Er verschwindet aus den Listen und aus dem Portal.
group-texts = Beschreibungen
group-system = Von Atrium geführt
created-by-customer = Erstellt von (Kunde)
modified-by-customer = Geändert von (Kunde)
stale-edit = Jemand anderes hat diesen Datensatz gespeichert, während Sie ihn bearbeitet haben. Ihre Änderungen stehen unten: Vergleichen Sie sie mit dem aktuellen Stand und speichern Sie erneut.
link = Verknüpfen
link-record = Datensatz mit { $module } verknüpfen
unlink = Lösen
link-saved = Die Datensätze sind verknüpft.
link-removed = Die Verknüpfung ist gelöst.

# Kommentare
comment-kind = Art des Kommentars
reply-to-customer = Antwort an den Kunden
internal-note = Interne Notiz
comment-text = Kommentar

# Kontakte: Portalzugang, Einladung, Aktivität
customer-portal = Kundenportal
portal-user-yes = Dieser Kontakt kann sich im Portal anmelden.
portal-user-no = Dieser Kontakt hat keinen Portalzugang.
portal-user-how = Für einen Zugang den Kontakt bearbeiten und „Portalbenutzer“ ankreuzen; die Einladung geht beim Speichern hinaus.
invitation-none = Keine Einladung: Der Kontakt ist kein Portalbenutzer.
invitation-sent = Einladung gesendet am { $when }.
invitation-accepted = Einladung angenommen am { $when }: Das Passwort ist gesetzt.
invitation-not-sent = Es wurde noch keine Einladung gesendet.
invitation-sent-now = Die Einladung ist unterwegs.
invitation-refused-no_email = Keine Einladung gesendet: Der Kontakt hat keine E-Mail-Adresse.
invitation-refused-support_ended = Keine Einladung gesendet: Der Support des Kontakts ist beendet.
invitation-refused-opted_out = Keine Einladung gesendet: Der Kontakt hat E-Mails abbestellt.
invitation-refused-portal_inactive = Keine Einladung gesendet: Das Portal ist nicht aktiv.
invitation-refused-unknown = Keine Einladung gesendet.
resend-invitation = Einladung erneut senden
view-as-customer = Als Kunde ansehen
activity = Aktivität
activity-filter = Aktivität zeigen aus
activity-all = Alle
activity-portal = Kundenportal
activity-email = E-Mail
activity-staff = Mitarbeiter
activity-empty = Noch nichts.
activity-kind-portal_login = Im Portal angemeldet
activity-kind-portal_logout = Vom Portal abgemeldet
activity-kind-portal_login_failed = Eine Anmeldung ist fehlgeschlagen
activity-kind-portal_record_created = Im Portal einen Datensatz erstellt
activity-kind-portal_record_updated = Im Portal einen Datensatz geändert
activity-kind-portal_comment = Im Portal kommentiert
activity-kind-password_changed = Passwort geändert
activity-kind-password_reset = Passwort zurückgesetzt
activity-kind-password_reset_requested = Passwort-Zurücksetzung angefordert
activity-kind-invitation_sent = Einladung gesendet
activity-kind-invitation_accepted = Einladung angenommen
activity-kind-email_change_requested = Änderung der E-Mail-Adresse angefordert
activity-kind-email_changed = E-Mail-Adresse geändert
activity-kind-email_sent = E-Mail gesendet
activity-kind-support_ending_sent = Über das Ende des Supports informiert

# Als Kunde ansehen
preview-title = Als Kunde ansehen
preview-heading = Das Portal, wie { $name } es sieht
preview-lead = Nur lesend, im Portal { $portal }: genau das Menü, die Listen, Datensätze und Felder, die die Zugriffsregeln diesem Kontakt geben.
preview-portals = Portale dieses Kontakts
preview-menu = Menü
preview-menu-empty = Dieser Kontakt sieht keine Module.
preview-actions = Der Kontakt darf
preview-no-actions = Der Kontakt darf diesen Datensatz nur lesen.
preview-refused-inactive = Das Portal ist nicht aktiv: Dieser Kontakt könnte sich heute nicht anmelden.
preview-refused-no-access = Der Kontakt ist kein Portalbenutzer: Er könnte sich heute nicht anmelden.
preview-refused-not-this-portal = Dieses Portal gehört nicht zu den Portalen des Kontakts: Er könnte sich dort nicht anmelden.
preview-refused-not-yet = Der Support des Kontakts hat noch nicht begonnen: Er könnte sich heute nicht anmelden.
preview-refused-ended = Der Support des Kontakts ist beendet: Er könnte sich heute nicht anmelden.
access-read-only = nur lesen
access-read-write = bearbeitbar
back-to-contact = Zurück zum Kontakt
