"""The published 2019 figures (the 2019 evaluation of RSD de Liemers, Bijlage 2), transcribed for the tests.

Columns of the peildatum tables: Duiven, Westervoort, Zevenaar, RSD. Block tables:
(Migratie achtergrond, Status houder, Overig, Eindtotaal).
"""

MUNIS = ("Duiven", "Westervoort", "Zevenaar")

TREDE = {
    "Trede 1 Geen aanbod": (156, 116, 266, 538),
    "Trede 2a Basis dienstverlening": (100, 110, 232, 442),
    "Trede 2b Intensieve dienstverlening": (127, 85, 203, 415),
    "Trede 3 Schoolgaand": (8, 5, 12, 25),
    "Trede 4 Aanbod < 1 jaar": (65, 31, 112, 208),
    "Trede 5 Direct bemiddelbaar": (13, 7, 33, 53),
    "Trede 6 Betaald werk met groeipotentie": (34, 37, 82, 153),
    "Trede 6 Betaald werk znd groeipotentie": (47, 29, 90, 166),
    "Trede 6 Niet Werk Fit": (6, 7, 10, 23),
    "Overige": (13, 21, 38, 72),
    "Totaal": (569, 448, 1078, 2095),
}
LEEFTIJD = {
    "17 en jonger": (2, 1, 1, 4), "18-27": (70, 55, 180, 305), "28-35": (76, 56, 136, 268),
    "36-45": (94, 82, 204, 380), "46-55": (143, 123, 245, 511),
    "56 en ouder": (184, 131, 312, 627), "Totaal": (569, 448, 1078, 2095),
}
DUUR = {
    "6 maanden of minder": (36, 22, 76, 134), "6 tot 12 maanden": (34, 35, 75, 144),
    "12 tot 24 maanden": (75, 45, 124, 244), "24 tot 60 maanden": (167, 123, 279, 569),
    "60 maanden en meer": (195, 170, 389, 754),
    "Nuggers geen uitkering gehad": (62, 53, 135, 250), "Totaal": (569, 448, 1078, 2095),
}
GESLACHT = {"Man": (240, 179, 470, 889), "Vrouw": (329, 269, 608, 1206),
            "Totaal": (569, 448, 1078, 2095)}
MIGRATIE = {"Migratieachtergrond": (248, 184, 279, 711),
            "waarvan Statushouders": (93, 66, 80, 239),
            "Doelgroepregister": (64, 50, 157, 271)}
MIGRATIE_PCT = {"Migratieachtergrond": 33.94, "waarvan Statushouders": 11.41,
                "Doelgroepregister": 12.94}

UITSTROOM = [  # (row, M, S, O, total)
    ("Duiven", 12, 13, 56, 81),
    ("KPI: Aanv.studie met studiefinanciering", 0, 5, 1, 6),
    ("KPI: Inkomsten uit arbeid", 9, 7, 33, 49),
    ("KPI: Parttime werk", 2, 1, 3, 6),
    ("KPI: Plaatsing werk NUG", 0, 0, 17, 17),
    ("KPI: Zelfstandig beroep of bedrijf", 1, 0, 2, 3),
    ("Westervoort", 12, 14, 46, 72),
    ("KPI: Aanv.studie met studiefinanciering", 1, 1, 0, 2),
    ("KPI: Inkomsten uit arbeid", 7, 9, 24, 40),
    ("KPI: Parttime werk", 4, 3, 6, 13),
    ("KPI: Plaatsing scholing NUG", 0, 0, 3, 3),
    ("KPI: Plaatsing werk NUG", 0, 0, 11, 11),
    ("KPI: Zelfstandig beroep of bedrijf", 0, 1, 2, 3),
    ("Zevenaar", 22, 4, 125, 151),
    ("KPI: Aanv.studie met studiefinanciering", 0, 0, 8, 8),
    ("KPI: Inkomsten uit arbeid", 14, 2, 60, 76),
    ("KPI: Parttime werk", 5, 0, 27, 32),
    ("KPI: Plaatsing scholing NUG", 1, 1, 1, 3),
    ("KPI: Plaatsing werk NUG", 2, 0, 26, 28),
    ("KPI: Zelfstandig beroep of bedrijf", 0, 1, 3, 4),
    ("Eindtotaal", 46, 31, 227, 304),
]
INDIRECT = [("Duiven", 19, 7, 31, 57), ("Westervoort", 9, 9, 34, 52),
            ("Zevenaar", 21, 9, 126, 156), ("Eindtotaal", 49, 25, 191, 265)]
TOTAAL = ("Totale uitstroom 2019", 95, 56, 418, 569)

INSTROOM = [
    ("Duiven", 21, 13, 74, 108),
    ("Binnen periode van 6 mnd weer ingestroomd", 3, 3, 13, 19),
    ("Instroom Niet-Uitkeringsgerechtigden", 0, 0, 8, 8),
    ("Direct (Bijv. Ontslag, einde WW etc.)", 9, 8, 39, 56),
    ("Indirect (Bijv. echtscheiding)", 12, 5, 27, 44),
    ("Westervoort", 9, 20, 56, 85),
    ("Binnen periode van 6 mnd weer ingestroomd", 0, 4, 6, 10),
    ("Instroom Niet-Uitkeringsgerechtigden", 0, 0, 10, 10),
    ("Direct (Bijv. Ontslag, einde WW etc.)", 8, 12, 32, 52),
    ("Indirect (Bijv. echtscheiding)", 1, 8, 14, 23),
    ("Zevenaar", 32, 23, 190, 245),
    ("Binnen periode van 6 mnd weer ingestroomd", 8, 1, 20, 29),
    ("Instroom Niet-Uitkeringsgerechtigden", 6, 1, 28, 35),
    ("Direct (Bijv. Ontslag, einde WW etc.)", 13, 21, 105, 139),
    ("Indirect (Bijv. echtscheiding)", 13, 1, 57, 71),
    ("Eindtotaal", 62, 56, 320, 438),
]
INSTROOM_RSD = {"RSD Instroom Direct": 247, "RSD Instroom Indirect": 138,
                "RSD Niet-Uitkeringsgerechtigden": 53, "RSD totaal": 438}

GROEP = [
    ("Duiven", 21, 13, 74, 108),
    ("Unit Zorg en Ondersteuning (tr.1,2a,6zgp)", 5, 2, 14, 21),
    ("Unit Werk (tr.2b tm 6)", 16, 11, 52, 79),
    ("Niet-Uitkeringsgerechtigden", 0, 0, 8, 8),
    ("Geen Trede", 0, 0, 0, 0),
    ("Westervoort", 9, 20, 56, 85),
    ("Unit Zorg en Ondersteuning (tr.1,2a,6zgp)", 3, 9, 19, 31),
    ("Unit Werk (tr.2b tm 6)", 6, 11, 26, 43),
    ("Niet-Uitkeringsgerechtigden", 0, 0, 10, 10),
    ("Geen Trede", 0, 0, 1, 1),
    ("Zevenaar", 32, 23, 190, 245),
    ("Unit Zorg en Ondersteuning (tr.1,2a,6zgp)", 10, 9, 34, 53),
    ("Unit Werk (tr.2b tm 6)", 16, 13, 126, 155),
    ("Niet-Uitkeringsgerechtigden", 6, 1, 28, 35),
    ("Geen Trede", 0, 0, 2, 2),
    ("Eindtotaal", 62, 56, 320, 438),
]
GROEP_RSD = {"RSD Z&O": 105, "RSD Werk": 277, "RSD Niet-uitkeringsgerechtigden": 53,
             "RSD Geen trede": 3, "RSD totaal": 438}
GROEP_RSD_PCT = {"RSD Z&O": 23.97, "RSD Werk": 63.24, "RSD Niet-uitkeringsgerechtigden": 12.10,
                 "RSD Geen trede": 0.68}

DOSSIERS = {"Duiven": (435, 421, -3.22), "Westervoort": (356, 339, -4.78),
            "Zevenaar": (865, 848, -1.97), "RSD de Liemers": (1656, 1608, -2.90)}

# Headline KPIs 2019
STAP_VOORWAARTS = 331
PLAATSINGEN = 304
DUURZAAM_PCT = 80        # published rounded to whole percent
ACTIEF_PCT = 85          # published rounded to whole percent
