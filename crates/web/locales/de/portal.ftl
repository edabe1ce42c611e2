# Die Seiten des Kundenportals, auf Deutsch.

skip-to-content = Zum Inhalt springen
nav-label = Hauptmenü
nav-home = Start
nav-faqs = FAQ
nav-profile = Profil
sign-out = Abmelden
powered-by = Kundenportal von { $company }

# Anmeldung
sign-in-title = Anmelden
sign-in-lead = Melden Sie sich an, um Ihre Anfragen zu verfolgen und neue zu stellen.
email = E-Mail
password = Passwort
sign-in = Anmelden
forgot-password = Passwort vergessen?
signed-out-idle = Sie wurden nach längerer Inaktivität abgemeldet. Bitte melden Sie sich erneut an.
signed-out = Sie sind abgemeldet.
refused-credentials = E-Mail-Adresse oder Passwort stimmen nicht.
refused-throttled = Zu viele Versuche. Bitte versuchen Sie es in { $minutes ->
    [one] einer Minute
   *[other] { $minutes } Minuten
} erneut.
refused-busy = Gerade melden sich sehr viele an. Bitte versuchen Sie es gleich noch einmal.
refused-support-not-started = Ihr Support hat noch nicht begonnen.
refused-support-ended = Ihr Support ist beendet.
refused-no-access = Dieses Konto hat keinen Zugang zum Portal.
refused-portal-inactive = Dieses Portal ist zurzeit geschlossen.
refused-generic = Sie können sich hier nicht anmelden: { $reason }
form-expired = Das Formular war abgelaufen. Bitte versuchen Sie es erneut.

# Start
greeting-standard = Willkommen im Portal
greeting-morning = Guten Morgen, { $name }
greeting-afternoon = Guten Tag, { $name }
greeting-evening = Guten Abend, { $name }
greeting-morning-anonymous = Guten Morgen
greeting-afternoon-anonymous = Guten Tag
greeting-evening-anonymous = Guten Abend
announcement = Mitteilung
chart-open_cases_by_priority = Offene Fälle nach Priorität
chart-case_resolution_time_by_priority = Lösungszeit nach Priorität
chart-projects_by_status = Projekte nach Status
chart-empty = Noch nichts anzuzeigen.
chart-table-caption = Zahlen des Diagramms „{ $chart }“
chart-label = Bezeichnung
chart-value = Wert
hours = { $value ->
    [one] { $value } Stunde
   *[other] { $value } Stunden
}
recent-cases = Neueste Fälle
recent-tickets = Neueste Tickets
recent-faqs = Neueste FAQ
recent-documents = Neueste Dokumente
recent-empty = Hier ist noch nichts.
representatives = Ihre Ansprechpartner
shortcuts = Schnellzugriff
shortcut-add-document = Dokument hinzufügen
shortcut-create-ticket = Neues Ticket
shortcut-create-case = Neuer Fall
shortcut-open-tickets = Meine Tickets
shortcut-open-cases = Meine Fälle
see-all = Alle anzeigen

# Listen
search = Suchen
search-in = { $module } durchsuchen
filter-status = Status
filter-any = Alle
apply = Anwenden
count = { $total ->
    [0] Keine Einträge
    [one] Ein Eintrag
   *[other] { $total } Einträge
}
page-of = Seite { $page } von { $pages }
previous-page = Zurück
next-page = Weiter
pagination = Seiten
empty-list = Hier ist noch nichts.
empty-list-create = Legen Sie den ersten Eintrag mit „{ $action }“ an.
empty-search = Nichts passt zu Ihrer Suche. Versuchen Sie andere Wörter oder setzen Sie die Filter zurück.
clear-filters = Filter zurücksetzen
sort-by = Nach { $field } sortieren
sorted-ascending = aufsteigend sortiert
sorted-descending = absteigend sortiert
new-record = { $module } anlegen
number = Nummer
updated = Geändert

# Datensatz
details = Details
edit = Bearbeiten
delete = Löschen
delete-confirm = Diesen Eintrag löschen? Das lässt sich nicht rückgängig machen.
export-pdf = Als PDF exportieren
create-invoice = Rechnung erstellen
follow = Folgen
unfollow = Nicht mehr folgen
following = Sie folgen diesem Eintrag und erhalten eine E-Mail, wenn er sich ändert.
comments = Kommentare
no-comments = Noch keine Kommentare.
add-comment = Kommentar hinzufügen
comment-body = Ihr Kommentar
comment-hint = Markdown ist möglich: **fett**, *kursiv*, Listen und Links.
post-comment = Kommentar senden
from-staff = Support-Team
from-you = Sie
from-customer = Kunde
updates = Verlauf
no-updates = Noch keine Änderungen.
changed-from-to = { $field }: { $old } → { $new }
related = Zugehörige { $module }
download = Herunterladen
file = Datei
none = —
lines-editor-hint = Eine Position pro Zeile: ein Produkt, eine Dienstleistung oder eine Beschreibung, Menge und Einzelpreis (ein Produkt oder eine Dienstleistung setzt ohne Angabe den eigenen Preis ein). Leere Zeilen werden ignoriert; nach dem Speichern gibt es weitere Zeilen. Atrium berechnet Netto und Steuer jeder Position und die Summen.
yes = Ja
no = Nein

# Formulare
save = Speichern
create = Anlegen
cancel = Abbrechen
required = Pflichtfeld
choose = Bitte wählen…
form-errors = Bitte korrigieren Sie die markierten Felder.
read-only-values = Nur zur Ansicht

# FAQ
faqs-title = Häufige Fragen
faqs-search = FAQ durchsuchen
faqs-results = { $total ->
    [0] Keine Antwort passt zu „{ $q }“.
    [one] Eine Antwort passt zu „{ $q }“.
   *[other] { $total } Antworten passen zu „{ $q }“.
}
faqs-empty = Hier gibt es noch keine Fragen.
uncategorized = Allgemein

# Profil
profile-title = Ihr Profil
profile-contact = Ihre Angaben
profile-organization = Ihre Organisation
notifications = Benachrichtigungen
notify-on-updates = Mir eine E-Mail senden, wenn sich meine Anfragen ändern
change-email = E-Mail-Adresse ändern
new-email = Neue E-Mail-Adresse
change-email-send = Bestätigungslink senden
email-change-pending = Wir haben einen Bestätigungslink an { $email } gesendet. Die Adresse ändert sich, sobald Sie ihn öffnen.
change-password = Passwort ändern
current-password = Aktuelles Passwort
new-password = Neues Passwort
password-policy = Mindestens 12 Zeichen; ein Satz aus mehreren Wörtern ist leicht zu merken und schwer zu erraten.
saved = Gespeichert.
password-changed = Ihr Passwort ist geändert.

# Einladung und Zurücksetzen
invitation-title = Passwort festlegen
invitation-lead = Willkommen! Wählen Sie ein Passwort, um das Portal zu nutzen.
reset-title = Neues Passwort wählen
forgot-title = Passwort vergessen?
forgot-lead = Geben Sie Ihre E-Mail-Adresse ein; wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.
forgot-send = Link senden
forgot-sent = Wenn diese Adresse zu einem Konto gehört, ist ein Link unterwegs. Er gilt nur begrenzte Zeit.
link-invalid = Dieser Link gilt nicht mehr. Fordern Sie einen neuen an.
set-password = Passwort festlegen

# Fehler
error-not-found-title = Nicht gefunden
error-not-found = Diese Seite gibt es nicht, oder sie ist nicht für Sie bestimmt.
error-forbidden-title = Nicht erlaubt
error-forbidden = Das dürfen Sie hier nicht.
error-conflict-title = Inzwischen geändert
error-conflict = Jemand hat diesen Eintrag geändert, während Sie ihn bearbeitet haben. Laden Sie neu und versuchen Sie es erneut.
error-unavailable-title = Bitte erneut versuchen
error-unavailable = Gerade ist viel los. Bitte versuchen Sie es gleich noch einmal.
error-server-title = Etwas ist schiefgegangen
error-server = Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es erneut.
back-home = Zur Startseite

# Module und Felder der Standard-Metadaten (von Admins ergänzte Felder zeigen ihre eigene Bezeichnung).
module-organizations = Organisationen
module-contacts = Kontakte
module-cases = Fälle
module-tickets = Tickets
module-documents = Dokumente
module-faqs = FAQ
module-projects = Projekte
module-project_tasks = Projektaufgaben
module-project_milestones = Meilensteine
module-products = Produkte
module-services = Dienstleistungen
module-assets = Anlagen
module-one-organizations = Organisation
module-one-contacts = Kontakt
module-one-cases = Fall
module-one-tickets = Ticket
module-one-documents = Dokument
module-one-faqs = FAQ
module-one-projects = Projekt
module-one-project_tasks = Projektaufgabe
module-one-project_milestones = Meilenstein
module-one-products = Produkt
module-one-services = Dienstleistung
module-one-assets = Anlage
field-title = Titel
field-name = Name
field-status = Status
field-priority = Priorität
field-severity = Schweregrad
field-category = Kategorie
field-channel = Kanal
field-folder = Ordner
field-case_type = Art
field-project_type = Art
field-milestone_type = Art
field-description = Beschreibung
field-resolution = Lösung
field-solution = Lösung
field-question = Frage
field-answer = Antwort
field-notes = Notizen
field-file = Datei
field-contact = Kontakt
field-organization = Organisation
field-project = Projekt
field-product = Produkt
field-service = Dienstleistung
field-assigned_to = Zuständig
field-created_by = Angelegt von
field-modified_by = Geändert von
field-resolved_at = Gelöst am
field-closed_at = Geschlossen am
field-start_date = Beginn
field-end_date = Ende
field-target_end_date = Geplantes Ende
field-actual_end_date = Tatsächliches Ende
field-milestone_date = Datum
field-progress = Fortschritt
field-hours = Stunden
field-first_name = Vorname
field-last_name = Nachname
field-email = E-Mail
field-secondary_email = Weitere E-Mail
field-phone = Telefon
field-mobile = Mobil
field-department = Abteilung
field-website = Website
field-language = Sprache
field-notify_on_updates = Bei Änderungen benachrichtigen
field-support_start_date = Supportbeginn
field-support_end_date = Supportende
field-serial_number = Seriennummer
field-part_number = Teilenummer
field-unit_price = Stückpreis
field-usage_unit = Einheit
field-date_sold = Verkauft am
field-warranty_end_date = Garantieende
field-number = Nummer
field-created_at = Angelegt
field-updated_at = Geändert

# Mit den Kontoseiten ergänzt
email-change-hint = Eine neue Adresse gilt, sobald Sie den Link öffnen, den wir an sie senden.
email-confirmed = Ihre neue E-Mail-Adresse ist bestätigt. Melden Sie sich ab jetzt mit ihr an.
email-confirm-title = E-Mail-Adresse bestätigen
email-confirm-lead = Bestätigen Sie, dass dies Ihre neue E-Mail-Adresse für das Portal ist.
confirm = Bestätigen
password-set = Ihr Passwort ist festgelegt. Sie können sich jetzt anmelden.
language-automatic = Wie mein Browser es sagt
language-en = English (Englisch)
language-de = Deutsch
error-invalid-title = Das lässt sich nicht anzeigen

## Angebote und Rechnungen
module-quotes = Angebote
module-invoices = Rechnungen
module-one-quotes = Angebot
module-one-invoices = Rechnung
field-subject = Betreff
field-stage = Phase
field-valid_until = Gültig bis
field-case = Fall
field-quote = Angebot
field-currency = Währung
field-items = Positionen
field-subtotal = Zwischensumme
field-discount_total = Rabatt gesamt
field-tax_total = Steuer gesamt
field-total = Gesamt
field-terms_conditions = Geschäftsbedingungen
field-signed_by = Unterzeichnet von
field-decided_at = Entschieden am
field-invoice_date = Rechnungsdatum
field-due_date = Fällig am
lines-title = Positionen
lines-none = Noch keine Positionen.
lines-item = Position
lines-quantity = Menge
lines-unit-price = Einzelpreis
lines-discount = Rabatt
lines-tax = Steuer
lines-net = Netto
lines-subtotal = Zwischensumme
lines-tax-at = MwSt. { $rate } %
lines-total = Gesamt { $currency }
overdue = Überfällig
quote-decide-title = Ihre Entscheidung
quote-decide-intro = Nehmen Sie dieses Angebot an, um den Auftrag zu erteilen, oder lehnen Sie es ab. Beides geht nur einmal.
quote-signer = Ihr Name (unterzeichnet die Entscheidung)
quote-comment = Kommentar (optional)
quote-accept = Angebot annehmen
quote-reject = Angebot ablehnen
quote-decided = { $stage } von { $name } am { $when }.
print-date = Datum
print-page = Seite { $page } von { $pages }
print-comments = Kommentare ({ $count })
print-updates = Änderungen ({ $count })
print-generated = Erstellt { $at }
print-empty = (leer)
