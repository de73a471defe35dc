"""Words that mean the same thing to a support team, in the languages visitors write most:
"cancel", "close", "kündigen" and "dar de baja" are one concept, "sue" and "lawyer" another.

Hand-written for handoff topics. Forms go through `lemmas.stem`, so one form of a regular
word is enough; irregular and short forms ("sued", "paid") are listed. A concept may count as
a broader one too: deleting an account is closing it, but closing is not deleting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from .lemmas import stem, words


@dataclass(frozen=True)
class Concept:
    name: str
    forms: str  # comma-separated, any language; a form may be several words
    broader: tuple[str, ...] = ()


CONCEPTS = (
    Concept(
        "end",
        "cancel, cancellation, close, closure, terminate, termination, quit, unsubscribe, "
        "deactivate, deactivation, discontinue, opt out, stop my, end my, "
        "kündigen, kündigt, gekündigt, kündigung, stornieren, storniert, stornierung, "
        "schließen, schließt, geschlossen, schließung, beenden, beendet, abbestellen, "
        "abmelden, deaktivieren, auflösen, "
        "annuler, annulation, résilier, résiliation, fermer, fermeture, clôturer, clôture, "
        "désabonner, désinscrire, désactiver, "
        "cancelación, cerrar, cierre, cierro, cierra, dar de baja, darme de baja, baja, "
        "anular, anulación, desactivar, "
        "annullare, annullamento, disdire, disdetta, chiudere, chiudo, chiuso, chiusura, "
        "disattivare, recedere, recesso, "
        "cancelamento, encerrar, encerramento, fechar, desativar, "
        "opzeggen, opzegging, annuleren, annulering, sluiten, afsluiten, beëindigen, "
        "stopzetten, uitschrijven",
    ),
    Concept(
        "delete",
        "delete, deletion, erase, erasure, remove, removal, wipe, right to be forgotten, "
        "löschen, löscht, gelöscht, löschung, entfernen, "
        "supprimer, suppression, effacer, effacement, droit à l'oubli, "
        "borrar, eliminar, elimine, eliminación, suprimir, supresión, derecho al olvido, "
        "cancellazione, eliminare, eliminazione, rimuovere, diritto all'oblio, "
        "excluir, exclusão, apagar, remover, "
        "verwijderen, verwijdering, wissen",
        broader=("end",),
    ),
    Concept(
        "account",
        "account, profile, user account, "
        "konto, konten, benutzerkonto, kundenkonto, profil, "
        "compte, "
        "cuenta, perfil, "
        "profilo, "
        "conta, "
        "profiel",
    ),
    Concept(
        "subscription",
        "subscription, membership, contract, renewal, plan, "
        "abo, abonnement, mitgliedschaft, vertrag, verträge, tarif, "
        "adhésion, contrat, forfait, "
        "suscripción, subscripción, membresía, contrato, "
        "abbonamento, iscrizione, contratto, piano, "
        "assinatura, subscrição, plano, "
        "lidmaatschap",
    ),
    Concept(
        "refund",
        "refund, reimburse, reimbursement, chargeback, money back, my money, "
        "rückerstattung, erstatten, erstattet, erstattung, zurückerstatten, rückzahlung, "
        "geld zurück, mein geld, "
        "remboursement, rembourser, mon argent, "
        "reembolso, reembolsar, devolución del dinero, devuelvan mi dinero, mi dinero, "
        "rimborso, rimborsare, i miei soldi, "
        "estorno, meu dinheiro, "
        "terugbetaling, terugbetalen, restitutie, geld terug, mijn geld",
    ),
    Concept(
        "return",
        "return, send back, exchange, "
        "rücksendung, zurücksenden, zurückschicken, retoure, umtausch, umtauschen, "
        "retour, retourner, renvoyer, échanger, échange, "
        "devolución, devolver, devuelvo, "
        "reso, restituire, restituzione, "
        "devolução, troca, trocar, "
        "retourneren, terugsturen, ruilen",
    ),
    Concept(
        "money",
        "money, euro, eur, €, dollar, usd, $, pound, gbp, £, chf, amount, "
        "geld, betrag, franken, "
        "argent, montant, "
        "dinero, importe, "
        "soldi, denaro, importo, "
        "dinheiro, "
        "bedrag",
    ),
    Concept(
        "legal",
        "legal, legally, law, laws, lawyer, attorney, solicitor, sue, sues, sued, suing, lawsuit, "
        "litigation, court, judge, legal action, liable, liability, small claims, "
        "anwalt, anwälte, anwältin, rechtsanwalt, rechtsanwältin, klage, verklagen, verklagt, "
        "gericht, gerichtlich, rechtlich, rechtliche schritte, jurist, "
        "avocat, avocate, juridique, légal, tribunal, procès, poursuivre, poursuites, "
        "en justice, "
        "abogado, abogada, jurídico, voy a demandar, demandarlos, demandarles, denunciar, "
        "denuncia, "
        "juicio, juzgado, "
        "avvocato, avvocati, legale, fare causa, denunciare, tribunale, giudice, giuridico, "
        "advogado, advogada, justiça, ação judicial, processar vocês, "
        "advocaat, advocaten, juridisch, rechter, rechtbank, rechtszaak, aanklagen",
    ),
    Concept(
        "data",
        "data, personal data, personal information, my information, privacy, gdpr, ccpa, "
        "data protection, "
        "daten, personenbezogene daten, datenschutz, dsgvo, "
        "données, données personnelles, confidentialité, rgpd, vie privée, "
        "datos, datos personales, privacidad, "
        "dati, dati personali, "
        "dados, dados pessoais, privacidade, lgpd, "
        "gegevens, persoonsgegevens, avg",
    ),
    Concept(
        "payment",
        "payment, pay, pays, paid, paying, billing, bill, billed, invoice, receipt, credit card, "
        "transaction, charged twice, double charged, overcharged, "
        "zahlung, zahlen, bezahlt, bezahlen, abbuchung, abgebucht, rechnung, quittung, "
        "kreditkarte, "
        "paiement, payer, payé, prélèvement, prélevé, facture, facturation, reçu, "
        "pago, pagar, pagué, cobro, cobrado, cobraron, factura, facturación, recibo, tarjeta, "
        "pagamento, pagare, pagato, addebito, addebitato, fattura, fatturazione, ricevuta, "
        "cobrança, fatura, cartão, "
        "betaling, betalen, betaald, afschrijving, afgeschreven, factuur",
    ),
    Concept(
        "complaint",
        "complaint, complain, complaining, dissatisfied, "
        "beschwerde, beschweren, reklamation, reklamieren, "
        "plainte, réclamation, réclamer, mécontent, "
        "queja, quejarme, reclamación, reclamo, reclamar, "
        "reclamo, lamentela, "
        "reclamação, queixa, "
        "klacht",
    ),
    Concept(
        "security",
        "hacked, hack, hacker, fraud, fraudulent, scam, stolen, unauthorized, unauthorised, "
        "phishing, breach, compromised, identity theft, "
        "gehackt, betrug, betrügerisch, gestohlen, unbefugt, datenleck, "
        "piraté, fraude, frauduleux, arnaque, volé, non autorisé, "
        "hackeado, hackearon, estafa, robado, robaron, no autorizado, "
        "hackerato, frode, truffa, rubato, non autorizzato, "
        "golpe, roubado, não autorizado, "
        "oplichting, gestolen, niet geautoriseerd",
    ),
    Concept(
        "damage",
        "broken, damaged, defective, faulty, cracked, smashed, doesn't work, does not work, "
        "not working, "
        "kaputt, beschädigt, defekt, zerbrochen, funktioniert nicht, "
        "cassé, endommagé, défectueux, abîmé, ne fonctionne pas, ne marche pas, "
        "roto, rota, dañado, defectuoso, no funciona, "
        "rotto, rotta, danneggiato, difettoso, non funziona, "
        "quebrado, danificado, defeituoso, não funciona, "
        "kapot, beschadigd, defect, werkt niet",
    ),
    Concept(
        "delivery",
        "delivery, deliver, delivered, shipping, ship, shipment, parcel, package, tracking, "
        "courier, arrive, "
        "lieferung, liefern, geliefert, versand, versenden, versendet, paket, sendung, "
        "zustellung, "
        "livraison, livrer, livré, expédition, expédier, expédié, colis, "
        "entrega, envío, enviar, enviado, paquete, seguimiento, "
        "consegna, spedizione, spedire, spedito, pacco, tracciamento, "
        "envio, pacote, encomenda, rastreamento, "
        "levering, bezorging, verzending, verzenden, pakket, bezorgd",
    ),
    Concept(
        "order",
        "order, purchase, bought, buy, buying, "
        "bestellung, bestellt, bestellen, kauf, gekauft, "
        "commande, commandé, commander, achat, acheté, "
        "pedido, compra, comprado, "
        "ordine, ordinato, acquisto, acquistato, "
        "bestelling, besteld, aankoop, gekocht",
    ),
    Concept(
        "sales",
        "quote, pricing, wholesale, enterprise, bulk order, bulk, partnership, reseller, b2b, "
        "angebot, großhandel, partnerschaft, wiederverkäufer, "
        "devis, grossiste, partenariat, revendeur, "
        "presupuesto, cotización, mayorista, "
        "preventivo, ingrosso, rivenditore, "
        "orçamento, cotação, atacado, parceria, revendedor, "
        "offerte, groothandel, partnerschap, wederverkoper",
    ),
    Concept(
        "discount",
        "discount, coupon, promo code, voucher, "
        "rabatt, gutschein, "
        "remise, réduction, code promo, "
        "descuento, cupón, "
        "sconto, "
        "desconto, cupom, "
        "korting, kortingscode",
    ),
    Concept(
        "access",
        "password, log in, login, sign in, locked out, two-factor, 2fa, "
        "passwort, kennwort, anmelden, anmeldung, einloggen, gesperrt, "
        "mot de passe, connexion, connecter, bloqué, "
        "contraseña, iniciar sesión, bloqueado, "
        "accesso, accedere, bloccato, "
        "senha, fazer login, "
        "wachtwoord, inloggen, geblokkeerd",
    ),
    Concept(
        "jobs",
        "job, jobs, career, hiring, vacancy, internship, cv, job application, "
        "stelle, stellenangebot, bewerbung, bewerben, karriere, praktikum, "
        "emploi, candidature, carrière, recrutement, "
        "empleo, trabajo, vacante, currículum, prácticas, "
        "lavoro, carriera, tirocinio, assunzioni, "
        "emprego, vaga, carreira, estágio, "
        "vacature, sollicitatie, solliciteren, baan",
    ),
    Concept(
        "safety",
        "allergic, allergy, injury, injured, hurt, burned, dangerous, unsafe, recall, "
        "allergisch, allergie, verletzt, verletzung, gefährlich, rückruf, "
        "allergique, blessé, blessure, dangereux, "
        "alérgico, alergia, herido, lesión, peligroso, "
        "allergico, ferito, pericoloso, "
        "ferido, perigoso, "
        "gewond, gevaarlijk",
    ),
    Concept(
        "press",
        "press inquiry, press release, the press, journalist, media inquiry, reporter, "
        "presseanfrage, journalistin, "
        "journaliste, relations presse, "
        "prensa, periodista, "
        "stampa, giornalista, "
        "imprensa, jornalista, "
        "pers",
    ),
    Concept(
        "warranty",
        "warranty, guarantee, repair, "
        "garantie, gewährleistung, reparatur, "
        "réparation, "
        "garantía, reparación, "
        "garanzia, riparazione, "
        "garantia, reparo, "
        "reparatie",
    ),
)


@dataclass(frozen=True)
class Lexicon:
    words: dict[str, frozenset[str]]  # stem → the concepts it names
    phrases: dict[tuple[str, ...], frozenset[str]]  # several stems → concepts
    longest: int
    broader: dict[str, tuple[str, ...]]

    def concepts_at(self, stems: Sequence[str], at: int) -> tuple[int, frozenset[str]]:
        """How many stems from `at` name concepts, and which (longest phrase first)."""
        for size in range(min(self.longest, len(stems) - at), 1, -1):
            found = self.phrases.get(tuple(stems[at : at + size]))
            if found:
                return size, found
        return 1, self.words.get(stems[at], frozenset())

    def widened(self, concepts: frozenset[str]) -> frozenset[str]:
        """The concepts and those they count as (delete → end)."""
        return concepts.union(*(self.broader.get(c, ()) for c in concepts))


@cache
def lexicon() -> Lexicon:
    single: dict[str, set[str]] = {}
    multi: dict[tuple[str, ...], set[str]] = {}
    for concept in CONCEPTS:
        for form in concept.forms.split(","):
            key = tuple(stem(w) for w in words(form))
            if len(key) == 1:
                single.setdefault(key[0], set()).add(concept.name)
            elif key:
                multi.setdefault(key, set()).add(concept.name)
    return Lexicon(
        {k: frozenset(v) for k, v in single.items()},
        {k: frozenset(v) for k, v in multi.items()},
        max((len(k) for k in multi), default=1),
        {c.name: c.broader for c in CONCEPTS},
    )
