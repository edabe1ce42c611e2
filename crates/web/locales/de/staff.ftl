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
filters = Filter
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
activity-kind-quote_accepted = Angebot im Portal angenommen
activity-kind-quote_rejected = Angebot im Portal abgelehnt
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

# Einstellungen
settings-refused = Nichts wurde gespeichert:
actions = Aktionen
settings-company = Firma
settings-company-about = Name, Adresse, Zeitzone, Akzentfarbe, Sprache und Logo.
settings-portals = Kundenportal
settings-portals-about = Ihre Portale: Details, Aufbau von Menü, Startseite und Datensätzen, Profil.
settings-roles = Portalrollen
settings-roles-about = Was jede Rolle Kunden erlaubt: erstellen, lesen, bearbeiten, löschen, kommentieren.
settings-templates = E-Mail-Vorlagen
settings-templates-about = Die Mails an Kunden und Mitarbeiter, mit Platzhaltern und Vorschau.
settings-email = E-Mail
settings-email-about = Versand, Testmail und Postausgang.
settings-users = Mitarbeiter
settings-users-about = Wer im Backoffice arbeitet, und mit welcher Rolle.

# Einstellungen > Kundenportal
portal-new = Neues Portal
portal-slug = Kurzname in der Adresse (Slug)
portal-address = Adresse
portal-state = Zustand
portal-default = Standard
portal-active-yes = Aktiv
portal-active-no = Inaktiv
portal-activate = Aktivieren
portal-deactivate = Deaktivieren
portal-make-default = Zum Standard machen
portal-tabs = Teile der Portaleinstellungen
portal-tab-details = Portaldetails
portal-tab-layout = Portalaufbau
portal-tab-profile = Profilaufbau
portal-name = Name
portal-title = Titel auf der Anmeldeseite
portal-active = Aktiv: Kunden können sich anmelden
portal-custom-host = Eigene Domain (z. B. support.example.com)
portal-css-url = Adresse eines Stylesheets (CSS-URL)
portal-default-assignee = Standard-Bearbeiter
portal-support-notification-days = Tage vor Supportende, an denen der Kontakt benachrichtigt wird
portal-login-template = Vorlage der Einladung
portal-forgot-password-template = Vorlage für vergessene Passwörter
portal-default-scope = Standard-Sichtbarkeit der Datensätze
portal-session-idle-minutes = Abmelden nach Minuten ohne Aktivität
scope-mine = Die eigenen Datensätze des Kontakts
scope-all = Alle Datensätze der Organisation des Kontakts
scope-default = Wie im Portal voreingestellt
portal-menu = Menü
portal-menu-hint = Kreuzen Sie die Module an, die Kunden sehen; die Zahlen bestimmen die Reihenfolge.
portal-module = Modul
portal-in-menu = Im Menü
portal-order = Reihenfolge
portal-show-module = { $module } im Menü zeigen
portal-order-of = Position von { $item }
portal-not-in-menu = nicht im Menü
portal-home = Startseite
portal-announcement = Ankündigung
portal-greeting = Begrüßung
greeting-time-based = Nach Tageszeit (Guten Morgen, …)
portal-widgets = Widgets
portal-shortcuts = Schnellzugriffe
portal-scope = Sichtbarkeit der Datensätze
portal-actions = Kunden dürfen
portal-related = Verknüpfte Listen auf der Datensatzseite
portal-fields = Felder
portal-field = Feld
portal-access = Zugriff
access-hidden = verborgen
widget-open-cases-by-priority = Offene Fälle nach Priorität
widget-case-resolution-time-by-priority = Lösungszeit nach Priorität
widget-projects-by-status = Projekte nach Status
widget-recent-cases = Neueste Fälle
widget-recent-tickets = Neueste Tickets
widget-recent-faqs = Neueste FAQ
widget-recent-documents = Neueste Dokumente
widget-account-representatives = Ansprechpartner
widget-shortcuts = Schnellzugriffe
profile-layout-contact = Felder des Kontakts
profile-layout-organization = Felder der Organisation

# Einstellungen > Portalrollen
roles-lead = Eine Rolle erlaubt je Modul das Erstellen und eine Stufe für Lesen, Bearbeiten, Löschen und Kommentieren: keine, eigene (vom Kontakt erstellt), Kontakt, Konto (die Organisation) oder alle.
role-name = Name
role-new = Neue Rolle
role-grid = Rechte von { $role }
level-none = Keine
level-own = Eigene
level-contact = Kontakt
level-account = Konto
level-all = Alle
level-read = Lesen
level-comment = Kommentieren

# Einstellungen > E-Mail-Vorlagen
template-portal-invitation = Lädt einen Kontakt ins Portal ein.
template-portal-password-reset = Sendet einen Link für ein neues Passwort.
template-support-ending = Sagt einem Kontakt, dass sein Support bald endet.
template-record-updated = Informiert Follower eines Datensatzes über Antworten und Statuswechsel.
template-staff-customer-activity = Sagt Mitarbeitern, dass ein Kunde etwas angelegt oder kommentiert hat.
template-subject = Betreff
template-text = Text
template-html = HTML
template-preview = Vorschau
template-preview-button = Vorschau ohne Speichern
template-no-preview = Die Vorlage lässt sich noch nicht darstellen; siehe die Meldungen oben.
template-merge-fields = Platzhalter
template-merge-hint = So schreiben, wie gezeigt; Links und Namen werden für jede Mail eingesetzt.
template-refused = Die Vorlage ist nicht verwendbar:

# Einstellungen > E-Mail
email-delivery = Versand
email-delivery-hint = Der Mailserver steht in der Konfiguration; Atrium stellt jede Mail in den Postausgang und versucht es, bis sie zugestellt ist.
email-opted-out = Einladungen und Passwort-Links auch an Kontakte senden, die E-Mails abbestellt haben
email-test = Testmail
email-test-hint = Sendet eine Mail an { $address } über den Postausgang.
email-test-button = Testmail senden
test-mail-queued = Die Testmail ist im Postausgang; ihren Zustand sehen Sie unten.
email-outbox = Postausgang
email-outbox-filter = Mails zeigen
email-outbox-empty = Noch keine Mails.
email-to = An
email-status = Status
email-attempts = Versuche
email-last-error = Letzter Fehler
email-resend = Erneut senden
outbox-queued = Wartend
outbox-sent = Gesendet
outbox-failed = Fehlgeschlagen

# Einstellungen > Firma
company-name = Name
company-address = Adresse
company-email = E-Mail
company-phone = Telefon
company-time-zone = Zeitzone (z. B. Europe/Berlin)
company-accent-color = Akzentfarbe
company-language = Standardsprache
company-currency = Standardwährung
company-logo = Logo
company-no-logo = Noch kein Logo.
company-logo-file = Bild (PNG, JPEG, GIF oder WebP, bis 2 MB)
company-logo-upload = Logo hochladen
logo-choose = Wählen Sie zuerst ein Bild.
logo-too-large = Das Bild ist größer als 2 MB.

# Einstellungen > Mitarbeiter
user-name = Name
user-role = Rolle
user-active = Aktiv
user-you = Sie
user-new = Neuer Mitarbeiter
user-new-hint = Geben Sie ihm dieses erste Passwort; er kann es nach der Anmeldung ändern.
user-password = Erstes Passwort
role-agent = Mitarbeiter
role-admin = Administrator
