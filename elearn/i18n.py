"""Interface texts in bokmål, nynorsk and English, and choosing the learner's language.

Course texts come from the courses themselves; these are the platform's own words. A test
checks that every key has all three languages.
"""

from __future__ import annotations

from typing import Any

from elearn.core.constants import LANGUAGES

LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "site_name": {
        "nb": "elearn – kurs for tjenestene",
        "nn": "elearn – kurs for tenestene",
        "en": "elearn – courses for public services",
    },
    "skip_to_content": {
        "nb": "Hopp til innholdet",
        "nn": "Hopp til innhaldet",
        "en": "Skip to content",
    },
    "main_nav": {"nb": "Hovedmeny", "nn": "Hovudmeny", "en": "Main menu"},
    "language": {"nb": "Språk", "nn": "Språk", "en": "Language"},
    "courses": {"nb": "Kurs", "nn": "Kurs", "en": "Courses"},
    "log_in": {"nb": "Logg inn", "nn": "Logg inn", "en": "Log in"},
    "log_out": {"nb": "Logg ut", "nn": "Logg ut", "en": "Log out"},
    "register": {"nb": "Opprett konto", "nn": "Opprett konto", "en": "Create an account"},
    "profile": {"nb": "Profil", "nn": "Profil", "en": "Profile"},
    "email": {"nb": "E-postadresse", "nn": "E-postadresse", "en": "Email address"},
    "password": {"nb": "Passord", "nn": "Passord", "en": "Password"},
    "password_hint": {
        "nb": "Minst 10 tegn.",
        "nn": "Minst 10 teikn.",
        "en": "At least 10 characters.",
    },
    "audience": {"nb": "Yrkesgruppe", "nn": "Yrkesgruppe", "en": "Profession"},
    "audience_hint": {
        "nb": "Vi viser kursene for din yrkesgruppe først.",
        "nn": "Vi viser kursa for yrkesgruppa di først.",
        "en": "Courses for your profession are shown first.",
    },
    "audience.teacher": {"nb": "Lærer", "nn": "Lærar", "en": "Teacher"},
    "audience.school_leader": {"nb": "Skoleleder", "nn": "Skuleleiar", "en": "School leader"},
    "audience.health": {"nb": "Helsepersonell", "nn": "Helsepersonell", "en": "Health staff"},
    "audience.adult_education": {
        "nb": "Voksenopplæring",
        "nn": "Vaksenopplæring",
        "en": "Adult education",
    },
    "audience.other": {"nb": "Annet", "nn": "Anna", "en": "Other"},
    "preferred_language": {
        "nb": "Foretrukket språk",
        "nn": "Føretrekt språk",
        "en": "Preferred language",
    },
    "save": {"nb": "Lagre", "nn": "Lagre", "en": "Save"},
    "saved": {"nb": "Lagret.", "nn": "Lagra.", "en": "Saved."},
    "privacy_note": {
        "nb": "Vi lagrer bare e-postadressen din, yrkesgruppen og hva du gjør i kursene. "
        "Valgene dine lagres under et tilfeldig pseudonym, ikke under navnet ditt.",
        "nn": "Vi lagrar berre e-postadressa di, yrkesgruppa og kva du gjer i kursa. "
        "Vala dine blir lagra under eit tilfeldig pseudonym, ikkje under namnet ditt.",
        "en": "We store only your email address, your profession and what you do in the courses. "
        "Your choices are stored under a random pseudonym, not your name.",
    },
    "error_summary": {
        "nb": "Noe må rettes",
        "nn": "Noko må rettast",
        "en": "Something needs fixing",
    },
    "err.email": {
        "nb": "Skriv en gyldig e-postadresse, for eksempel navn@kommune.no.",
        "nn": "Skriv ei gyldig e-postadresse, til dømes namn@kommune.no.",
        "en": "Enter a valid email address, for example name@example.no.",
    },
    "err.email_taken": {
        "nb": "Det finnes allerede en konto med denne e-postadressen.",
        "nn": "Det finst alt ein konto med denne e-postadressa.",
        "en": "There is already an account with this email address.",
    },
    "err.password_short": {
        "nb": "Passordet må ha minst 10 tegn.",
        "nn": "Passordet må ha minst 10 teikn.",
        "en": "The password must have at least 10 characters.",
    },
    "err.audience": {
        "nb": "Velg en yrkesgruppe.",
        "nn": "Vel ei yrkesgruppe.",
        "en": "Choose a profession.",
    },
    "err.login": {
        "nb": "Feil e-postadresse eller passord.",
        "nn": "Feil e-postadresse eller passord.",
        "en": "Wrong email address or password.",
    },
    "err.registration_closed": {
        "nb": "Registrering er slått av her.",
        "nn": "Registrering er slått av her.",
        "en": "Registration is switched off here.",
    },
    "no_account": {
        "nb": "Har du ikke konto?",
        "nn": "Har du ikkje konto?",
        "en": "No account yet?",
    },
    "have_account": {
        "nb": "Har du allerede konto?",
        "nn": "Har du alt konto?",
        "en": "Already have an account?",
    },
    "logged_out": {"nb": "Du er logget ut.", "nn": "Du er logga ut.", "en": "You are logged out."},
    "login_required": {
        "nb": "Logg inn for å ta kurset.",
        "nn": "Logg inn for å ta kurset.",
        "en": "Log in to take the course.",
    },
    "catalogue_title": {"nb": "Kurs", "nn": "Kurs", "en": "Courses"},
    "catalogue_intro": {
        "nb": "Gratis kurs om negativ sosial kontroll og æresmotivert vold, med situasjoner fra "
        "arbeidsdagen din.",
        "nn": "Gratis kurs om negativ sosial kontroll og æresmotivert vald, med situasjonar frå "
        "arbeidsdagen din.",
        "en": "Free courses on negative social control and honour-based violence, with "
        "situations from your working day.",
    },
    "for_you": {
        "nb": "For din yrkesgruppe",
        "nn": "For yrkesgruppa di",
        "en": "For your profession",
    },
    "other_courses": {"nb": "Andre kurs", "nn": "Andre kurs", "en": "Other courses"},
    "all_courses": {"nb": "Alle kurs", "nn": "Alle kurs", "en": "All courses"},
    "no_courses": {
        "nb": "Ingen kurs er lagt inn ennå.",
        "nn": "Ingen kurs er lagde inn enno.",
        "en": "No courses have been added yet.",
    },
    "minutes": {"nb": "{n} minutter", "nn": "{n} minutt", "en": "{n} minutes"},
    "duration": {"nb": "Varighet", "nn": "Lengd", "en": "Duration"},
    "languages": {"nb": "Språk", "nn": "Språk", "en": "Languages"},
    "measure": {
        "nb": "Tiltak i handlingsplanen",
        "nn": "Tiltak i handlingsplanen",
        "en": "Action plan measure",
    },
    "for_audiences": {"nb": "For", "nn": "For", "en": "For"},
    "progress": {"nb": "Framdrift", "nn": "Framdrift", "en": "Progress"},
    "progress_value": {
        "nb": "{done} av {total} scenarioer fullført",
        "nn": "{done} av {total} scenario fullførte",
        "en": "{done} of {total} scenarios finished",
    },
    "not_started": {"nb": "Ikke startet", "nn": "Ikkje starta", "en": "Not started"},
    "in_progress": {"nb": "Påbegynt", "nn": "Påbyrja", "en": "In progress"},
    "finished": {"nb": "Fullført", "nn": "Fullført", "en": "Finished"},
    "passed": {"nb": "Bestått", "nn": "Bestått", "en": "Passed"},
    "failed": {"nb": "Ikke bestått", "nn": "Ikkje bestått", "en": "Not passed"},
    "open_course": {"nb": "Åpne kurset", "nn": "Opne kurset", "en": "Open the course"},
    "content_notice": {"nb": "Før du begynner", "nn": "Før du byrjar", "en": "Before you start"},
    "scenarios": {"nb": "Scenarioer", "nn": "Scenario", "en": "Scenarios"},
    "start_course": {"nb": "Start kurset", "nn": "Start kurset", "en": "Start the course"},
    "continue": {"nb": "Fortsett", "nn": "Hald fram", "en": "Continue"},
    "start": {"nb": "Start", "nn": "Start", "en": "Start"},
    "play_again": {"nb": "Se gjennomgangen", "nn": "Sjå gjennomgangen", "en": "See the review"},
    "restart": {
        "nb": "Start kurset på nytt",
        "nn": "Start kurset på nytt",
        "en": "Start the course again",
    },
    "restart_hint": {
        "nb": "Et nytt forsøk begynner fra starten. Det forrige forsøket blir avsluttet.",
        "nn": "Eit nytt forsøk byrjar frå starten. Det førre forsøket blir avslutta.",
        "en": "A new attempt starts from the beginning. The current attempt is closed.",
    },
    "take_a_break": {
        "nb": "Ta en pause (lagre og gå ut)",
        "nn": "Ta ein pause (lagre og gå ut)",
        "en": "Take a break (save and leave)",
    },
    "paused": {
        "nb": "Framdriften er lagret. Du kan fortsette der du slapp, også på en annen enhet.",
        "nn": "Framdrifta er lagra. Du kan halde fram der du slapp, også på ei anna eining.",
        "en": "Your progress is saved. You can continue where you left off, "
        "also on another device.",
    },
    "your_choice": {"nb": "Du valgte", "nn": "Du valde", "en": "You chose"},
    "why": {"nb": "Hvorfor", "nn": "Kvifor", "en": "Why"},
    "what_next": {"nb": "Hva gjør du nå?", "nn": "Kva gjer du no?", "en": "What do you do now?"},
    "choices": {"nb": "Valg", "nn": "Val", "en": "Choices"},
    "reflect": {"nb": "Tenk over", "nn": "Tenk over", "en": "Think about it"},
    "step_of": {
        "nb": "Valg {done} av minst {total}",
        "nn": "Val {done} av minst {total}",
        "en": "Decision {done} of at least {total}",
    },
    "stale_page": {
        "nb": "Siden du sendte fra var utdatert, så valget ble ikke registrert. Her er der du er nå.",
        "nn": "Sida du sende frå var utdatert, så valet vart ikkje registrert. Her er der du er no.",
        "en": "That page was out of date, so the choice was not recorded. This is where you are now.",
    },
    "ending": {
        "nb": "Slutt på scenarioet",
        "nn": "Slutt på scenarioet",
        "en": "End of the scenario",
    },
    "outcome.good": {"nb": "Godt utfall", "nn": "Godt utfall", "en": "A good outcome"},
    "outcome.mixed": {"nb": "Blandet utfall", "nn": "Blanda utfall", "en": "A mixed outcome"},
    "outcome.poor": {"nb": "Dårlig utfall", "nn": "Dårleg utfall", "en": "A poor outcome"},
    "score": {"nb": "Poeng", "nn": "Poeng", "en": "Score"},
    "score_value": {
        "nb": "{points} av {max} mulige",
        "nn": "{points} av {max} moglege",
        "en": "{points} of {max} possible",
    },
    "your_choices": {
        "nb": "Valgene dine og hva de betydde",
        "nn": "Vala dine og kva dei betydde",
        "en": "Your choices and what they meant",
    },
    "points_n": {"nb": "{n} poeng", "nn": "{n} poeng", "en": "{n} points"},
    "back_to_course": {
        "nb": "Tilbake til kurset",
        "nn": "Tilbake til kurset",
        "en": "Back to the course",
    },
    "introduction": {"nb": "Om temaet", "nn": "Om temaet", "en": "About the topic"},
    "help_title": {"nb": "Her får du hjelp", "nn": "Her får du hjelp", "en": "Where to get help"},
    "help_acute": {
        "nb": "Er noen i akutt fare? Ring politiet på 112.",
        "nn": "Er nokon i akutt fare? Ring politiet på 112.",
        "en": "Is someone in immediate danger? Call the police on 112.",
    },
    "phone": {"nb": "Telefon", "nn": "Telefon", "en": "Phone"},
    "course_result": {
        "nb": "Resultat for kurset",
        "nn": "Resultat for kurset",
        "en": "Course result",
    },
    "mastery": {
        "nb": "Du trenger {pct} % for å bestå.",
        "nn": "Du treng {pct} % for å bestå.",
        "en": "You need {pct}% to pass.",
    },
    "your_score": {"nb": "Du fikk {pct} %.", "nn": "Du fekk {pct} %.", "en": "You scored {pct}%."},
    "all_done": {
        "nb": "Du har fullført alle scenarioene.",
        "nn": "Du har fullført alle scenarioa.",
        "en": "You have finished every scenario.",
    },
    "next_scenario": {"nb": "Neste scenario", "nn": "Neste scenario", "en": "Next scenario"},
    "see_result": {
        "nb": "Se resultatet for kurset",
        "nn": "Sjå resultatet for kurset",
        "en": "See the course result",
    },
    "forbidden": {"nb": "Ingen tilgang", "nn": "Inga tilgang", "en": "Access denied"},
    "forbidden_text": {
        "nb": "Kontoen din har ikke tilgang til denne siden.",
        "nn": "Kontoen din har ikkje tilgang til denne sida.",
        "en": "Your account does not have access to this page.",
    },
    "admin_home": {"nb": "Administrasjon", "nn": "Administrasjon", "en": "Administration"},
    "admin_organisation": {"nb": "Organisasjon", "nn": "Organisasjon", "en": "Organisation"},
    "admin_nothing": {
        "nb": "Det er ingen administrasjonssider for rollen din ennå.",
        "nn": "Det er ingen administrasjonssider for rolla di enno.",
        "en": "There are no administration pages for your role yet.",
    },
    "export_title": {
        "nb": "Last ned kurs til egen LMS",
        "nn": "Last ned kurs til eiga LMS",
        "en": "Download courses for your own LMS",
    },
    "export_intro": {
        "nb": "Last ned et kurs som en pakke og last den opp i læringsplattformen deres. "
        "Kurset spilles av inne i pakken, uten kontakt med elearn, og rapporterer fremdrift, "
        "poeng og valg til plattformen. Pakken har bokmål, nynorsk og engelsk; språket du velger "
        "her, er det kurset starter på.",
        "nn": "Last ned eit kurs som ein pakke og last han opp i læringsplattforma dykkar. "
        "Kurset blir spela av inne i pakken, utan kontakt med elearn, og rapporterer framdrift, "
        "poeng og val til plattforma. Pakken har bokmål, nynorsk og engelsk; språket du vel her, "
        "er det kurset startar på.",
        "en": "Download a course as a package and upload it to your learning platform. The "
        "course plays inside the package, without contacting elearn, and reports progress, score "
        "and choices to your platform. The package has Bokmål, Nynorsk and English; the language "
        "you choose here is the one the course starts in.",
    },
    "export_format": {"nb": "Format", "nn": "Format", "en": "Format"},
    "export_language": {"nb": "Startspråk", "nn": "Startspråk", "en": "Starting language"},
    "export_download": {"nb": "Last ned", "nn": "Last ned", "en": "Download"},
    "export_format.scorm12": {"nb": "SCORM 1.2", "nn": "SCORM 1.2", "en": "SCORM 1.2"},
    "export_format.scorm2004": {
        "nb": "SCORM 2004 (4. utgave)",
        "nn": "SCORM 2004 (4. utgåve)",
        "en": "SCORM 2004 (4th edition)",
    },
    "export_format.cmi5": {"nb": "cmi5", "nn": "cmi5", "en": "cmi5"},
    "export_format.xapi": {"nb": "xAPI (Tin Can)", "nn": "xAPI (Tin Can)", "en": "xAPI (Tin Can)"},
    "export_format.html": {
        "nb": "Frittstående HTML",
        "nn": "Frittståande HTML",
        "en": "Stand-alone HTML",
    },
    "export_format_text.scorm12": {
        "nb": "Velg denne hvis du er i tvil: alle LMS-er tar den, også KS Læring (Moodle).",
        "nn": "Vel denne om du er i tvil: alle LMS-ar tek han, òg KS Læring (Moodle).",
        "en": "Choose this if in doubt: every LMS takes it, KS Læring (Moodle) too.",
    },
    "export_format_text.scorm2004": {
        "nb": "For LMS-er som støtter SCORM 2004 fullt ut (Moodle gjør ikke det).",
        "nn": "For LMS-ar som støttar SCORM 2004 fullt ut (Moodle gjer ikkje det).",
        "en": "For LMSs with full SCORM 2004 support (Moodle does not have it).",
    },
    "export_format_text.cmi5": {
        "nb": "For LMS-er med cmi5 og en egen Learning Record Store.",
        "nn": "For LMS-ar med cmi5 og ein eigen Learning Record Store.",
        "en": "For LMSs with cmi5 and a Learning Record Store.",
    },
    "export_format_text.xapi": {
        "nb": "For LMS-er som starter xAPI-pakker (tincan.xml) mot en Learning Record Store.",
        "nn": "For LMS-ar som startar xAPI-pakkar (tincan.xml) mot ein Learning Record Store.",
        "en": "For LMSs that launch xAPI packages (tincan.xml) against a Learning Record Store.",
    },
    "export_format_text.html": {
        "nb": "Uten sporing: for kursledere med prosjektor og uten nett. Åpne index.html.",
        "nn": "Utan sporing: for kursleiarar med prosjektor og utan nett. Opne index.html.",
        "en": "No tracking: for facilitators with a projector and no network. Open index.html.",
    },
    "too_many_requests": {
        "nb": "For mange forsøk",
        "nn": "For mange forsøk",
        "en": "Too many attempts",
    },
    "too_many_requests_text": {
        "nb": "Det har vært for mange forsøk fra deg eller på denne kontoen. Vent litt og prøv igjen.",
        "nn": "Det har vore for mange forsøk frå deg eller på denne kontoen. Vent litt og prøv igjen.",
        "en": "There have been too many attempts from you or on this account. Wait a while and try again.",
    },
    "help_checked": {"nb": "Sist kontrollert", "nn": "Sist kontrollert", "en": "Last checked"},
    "printable": {"nb": "til utskrift", "nn": "til utskrift", "en": "to print"},
    "job_aids": {"nb": "Til utskrift", "nn": "Til utskrift", "en": "To print"},
    "print": {"nb": "Skriv ut", "nn": "Skriv ut", "en": "Print"},
    "print_hint": {
        "nb": "Eller bruk nettleserens utskrift (Ctrl+P, på Mac Cmd+P). Sidene skrives ut uten meny.",
        "nn": "Eller bruk utskrifta i nettlesaren (Ctrl+P, på Mac Cmd+P). Sidene blir skrivne ut utan meny.",
        "en": "Or use your browser's print (Ctrl+P, on a Mac Cmd+P). Pages print without the menu.",
    },
    "not_found": {"nb": "Fant ikke siden", "nn": "Fann ikkje sida", "en": "Page not found"},
    "image": {"nb": "Bilde", "nn": "Bilete", "en": "Image"},
    "facilitator_notes": {
        "nb": "Veiledning for deg som leder kurset",
        "nn": "Rettleiing for deg som leier kurset",
        "en": "Notes for leading the course with a group",
    },
    "facilitator_intro": {
        "nb": "Slik kan du bruke scenarioene med kollegaer: spill dem sammen på en skjerm, stopp ved "
        "hvert valg og la gruppen diskutere før dere velger.",
        "nn": "Slik kan du bruke scenarioa med kollegaer: spel dei saman på ein skjerm, stopp ved "
        "kvart val og la gruppa diskutere før de vel.",
        "en": "How to use the scenarios with colleagues: play them together on one screen, stop "
        "at each choice and let the group discuss before you choose.",
    },
    "facilitator_time": {
        "nb": "Sett av {n} minutter.",
        "nn": "Set av {n} minutt.",
        "en": "Allow {n} minutes.",
    },
    "discussion_questions": {
        "nb": "Spørsmål til samtale",
        "nn": "Spørsmål til samtale",
        "en": "Questions for discussion",
    },
    "watch_for": {"nb": "Vær oppmerksom på", "nn": "Ver merksam på", "en": "What to watch for"},
    "no_facilitator_notes": {
        "nb": "Dette scenarioet har ingen egen veiledning.",
        "nn": "Dette scenarioet har inga eiga rettleiing.",
        "en": "This scenario has no notes of its own.",
    },
    "breadcrumb": {"nb": "Du er her", "nn": "Du er her", "en": "You are here"},
    "login_lock_note": {
        "nb": "Etter fem feil passord på rad blir kontoen låst i 15 minutter.",
        "nn": "Etter fem feil passord på rad blir kontoen låst i 15 minutt.",
        "en": "After five wrong passwords in a row the account is locked for 15 minutes.",
    },
    "delete_account": {
        "nb": "Slett kontoen min",
        "nn": "Slett kontoen min",
        "en": "Delete my account",
    },
    "delete_account_text": {
        "nb": "Kontoen, forsøkene og alle registreringer av hva du har gjort i kursene blir "
        "slettet for godt. Skriv passordet ditt for å bekrefte.",
        "nn": "Kontoen, forsøka og alle registreringar av kva du har gjort i kursa blir sletta "
        "for godt. Skriv passordet ditt for å stadfeste.",
        "en": "Your account, your attempts and every record of what you did in the courses are "
        "deleted for good. Enter your password to confirm.",
    },
    "bad_request": {
        "nb": "Forespørselen kunne ikke brukes",
        "nn": "Førespurnaden kunne ikkje brukast",
        "en": "The request could not be used",
    },
    "bad_request_text": {
        "nb": "Noe i skjemaet var ikke gyldig. Gå tilbake, last siden på nytt og prøv igjen.",
        "nn": "Noko i skjemaet var ikkje gyldig. Gå tilbake, last sida på nytt og prøv igjen.",
        "en": "Something in the form was not valid. Go back, reload the page and try again.",
    },
    "csrf_expired": {
        "nb": "Skjemaet var for gammelt eller kom ikke fra denne siden. Last siden på nytt og prøv "
        "igjen.",
        "nn": "Skjemaet var for gammalt eller kom ikkje frå denne sida. Last sida på nytt og prøv "
        "igjen.",
        "en": "The form was too old or did not come from this site. Reload the page and try again.",
    },
    "not_found_text": {
        "nb": "Vi fant ikke det du lette etter.",
        "nn": "Vi fann ikkje det du leita etter.",
        "en": "We could not find what you were looking for.",
    },
    # -- LRS clients (admin page) -----------------------------------------------------------
    "lrs_clients_title": {
        "nb": "Tilgang til læringsregisteret (LRS)",
        "nn": "Tilgang til læringsregisteret (LRS)",
        "en": "Access to the learning record store (LRS)",
    },
    "lrs_clients_intro": {
        "nb": "Analyseverktøy og eksporterte kurspakker kobler seg til elearn som til et hvilket "
        "som helst LRS (xAPI 1.0.3), med en nøkkel og en hemmelighet (HTTP Basic).",
        "nn": "Analyseverktøy og eksporterte kurspakkar koplar seg til elearn som til eit kva som "
        "helst LRS (xAPI 1.0.3), med ein nøkkel og ei løyndom (HTTP Basic).",
        "en": "Analytics tools and exported course packages connect to elearn as to any LRS "
        "(xAPI 1.0.3), with a key and a secret (HTTP Basic).",
    },
    "lrs_endpoint": {"nb": "Adresse (endpoint)", "nn": "Adresse (endpoint)", "en": "Endpoint"},
    "lrs_created": {
        "nb": "Tilgangen «{name}» er opprettet",
        "nn": "Tilgangen «{name}» er oppretta",
        "en": "Access “{name}” has been created",
    },
    "lrs_key": {"nb": "Nøkkel", "nn": "Nøkkel", "en": "Key"},
    "lrs_secret": {"nb": "Hemmelighet", "nn": "Løyndom", "en": "Secret"},
    "lrs_secret_once": {
        "nb": "Kopier hemmeligheten nå. Den vises ikke igjen, og elearn lagrer den bare som en "
        "hash.",
        "nn": "Kopier løyndommen no. Ho blir ikkje vist att, og elearn lagrar ho berre som ein "
        "hash.",
        "en": "Copy the secret now. It is not shown again, and elearn stores only a hash of it.",
    },
    "lrs_clients_list": {"nb": "Tilganger", "nn": "Tilgangar", "en": "Access credentials"},
    "lrs_name": {"nb": "Navn", "nn": "Namn", "en": "Name"},
    "lrs_name_hint": {
        "nb": "Hvem som bruker tilgangen, for eksempel «Analyseverktøy, Bergen kommune».",
        "nn": "Kven som brukar tilgangen, til dømes «Analyseverktøy, Bergen kommune».",
        "en": "Who uses it, for example “Analytics tool, Bergen municipality”.",
    },
    "lrs_scopes": {"nb": "Rettigheter", "nn": "Rettar", "en": "Scopes"},
    "lrs_scopes_hint": {
        "nb": "Gi bare de rettighetene verktøyet trenger.",
        "nn": "Gje berre dei rettane verktøyet treng.",
        "en": "Grant only the scopes the tool needs.",
    },
    "lrs_state": {"nb": "Status", "nn": "Status", "en": "Status"},
    "lrs_platform_wide": {
        "nb": "Hele plattformen",
        "nn": "Heile plattforma",
        "en": "The whole platform",
    },
    "lrs_revoked": {"nb": "Trukket tilbake", "nn": "Trekt tilbake", "en": "Revoked"},
    "lrs_revoke": {"nb": "Trekk tilbake", "nn": "Trekk tilbake", "en": "Revoke"},
    "lrs_none": {
        "nb": "Ingen tilganger ennå.",
        "nn": "Ingen tilgangar enno.",
        "en": "No credentials yet.",
    },
    "lrs_create": {"nb": "Opprett tilgang", "nn": "Opprett tilgang", "en": "Create access"},
    "lrs_err_name": {
        "nb": "Skriv hvem som skal bruke tilgangen.",
        "nn": "Skriv kven som skal bruke tilgangen.",
        "en": "Enter who will use the access.",
    },
    "lrs_err_organisation": {
        "nb": "Velg en organisasjon fra listen, eller ingen for en klient for hele plattformen.",
        "nn": "Vel ein organisasjon frå lista, eller ingen for ein klient for heile plattforma.",
        "en": "Choose an organisation from the list, or none for a platform-wide client.",
    },
    "lrs_err_scope": {
        "nb": "Velg minst én rettighet.",
        "nn": "Vel minst éin rett.",
        "en": "Choose at least one scope.",
    },
    "lrs_scope.statements/write": {
        "nb": "lagre registreringer",
        "nn": "lagre registreringar",
        "en": "store statements",
    },
    "lrs_scope.statements/read": {
        "nb": "lese registreringer",
        "nn": "lese registreringar",
        "en": "read statements",
    },
    "lrs_scope.statements/read/mine": {
        "nb": "lese bare egne registreringer",
        "nn": "lese berre eigne registreringar",
        "en": "read only its own statements",
    },
    "lrs_scope.state": {
        "nb": "lese og skrive tilstand (state)",
        "nn": "lese og skrive tilstand (state)",
        "en": "read and write state",
    },
    "lrs_scope.profile": {
        "nb": "lese og skrive profiler",
        "nn": "lese og skrive profilar",
        "en": "read and write profiles",
    },
    "lrs_scope.define": {
        "nb": "definere aktiviteter (godtas, endrer ingenting her)",
        "nn": "definere aktivitetar (godteke, endrar ingenting her)",
        "en": "define activities (accepted, changes nothing here)",
    },
    "lrs_scope.all/read": {
        "nb": "lese alt",
        "nn": "lese alt",
        "en": "read everything",
    },
    "lrs_scope.all": {"nb": "alt", "nn": "alt", "en": "everything"},
}


def translate(key: str, lang: str, **kwargs: Any) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        return key  # a missing key shows up in the page, and a test fails on it
    text = entry.get(lang) or entry["nb"]
    return text.format(**kwargs) if kwargs else text


def negotiate_language(chosen: str | None, profile: str | None, accept: Any, default: str) -> str:
    """The language the learner chose here, then in the profile, then the browser's, then ours."""
    for lang in (chosen, profile):
        if lang in LANGUAGES:
            return lang
    if accept:
        # Browsers send "no" or "nb"/"nn"; "no" means bokmål in practice.
        best = accept.best_match(["nb", "nn", "en", "no", "nb-NO", "nn-NO", "no-NO"])
        if best:
            best = best.split("-")[0]
            return "nb" if best == "no" else best
    return default
