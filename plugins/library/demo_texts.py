# ruff: noqa: E501 - prose
"""The demo monographs: original French text written for the demo site (fictional organisations)."""

# Each entry: title, organisation, legal form, sector, region, department, town, year, themes, summary, body,
# source, authors, and optionally the paragraphs of a PDF attachment (title, paragraphs).
MONOGRAPHS = [
    {
        "title": "Les Toits partagés : une coopérative d'habitants à Villeurbanne",
        "organisation": "Les Toits partagés",
        "legal_form": "SCIC",
        "sector": "Habitat",
        "region": "Auvergne-Rhône-Alpes",
        "department": "Rhône",
        "town": "Villeurbanne",
        "year": 2013,
        "themes": ["habitat", "coopérative d'habitants", "gouvernance partagée"],
        "summary": "Quatorze ménages ont conçu et gèrent ensemble un immeuble dont ils sont collectivement "
        "propriétaires, avec une salle commune ouverte au quartier.",
        "body": "## Origine du projet\n\nEn 2009, un groupe de voisins cherche une alternative à la spéculation "
        "immobilière. Après quatre ans de réunions, la coopérative acquiert un terrain auprès de la métropole "
        "et confie la conception à un architecte choisi collectivement.\n\n## Fonctionnement\n\nChaque ménage "
        "détient des parts sociales et verse une redevance mensuelle. Les décisions se prennent en assemblée, "
        "selon le principe *une personne, une voix*. La salle commune accueille une épicerie associative et "
        "des ateliers de réparation de vélos.\n\n## Enseignements\n\nLa coopérative d'habitants montre qu'un "
        "logement peut rester abordable durablement lorsque la revente spéculative est exclue par les statuts.",
        "source": "Mémoire, promotion Lyon 2021",
        "authors": "Claire Morel, Julien Bertin",
        "pdf": (
            "Les Toits partagés – annexe : budget de l'opération",
            [
                "Le coût total de l'opération s'élève à 3,2 millions d'euros, financé par un prêt bancaire "
                "garanti par la collectivité, l'apport des coopérateurs et une subvention régionale.",
                "La redevance mensuelle comprend une part d'acquisition et une part locative. Le fonds de "
                "solidarité interne permet d'aider un ménage traversant une difficulté passagère.",
                "La toiture végétalisée récupère l'eau de pluie pour le jardin potager partagé.",
            ],
        ),
    },
    {
        "title": "Coop'Bâtir : une SCOP du bâtiment écologique en Bretagne",
        "organisation": "Coop'Bâtir",
        "legal_form": "SCOP",
        "sector": "Habitat",
        "region": "Bretagne",
        "department": "Ille-et-Vilaine",
        "town": "Rennes",
        "year": 1998,
        "themes": ["habitat", "éco-construction", "emploi"],
        "summary": "Une entreprise de charpente et d'isolation en matériaux biosourcés, détenue à 70 % par "
        "ses salariés.",
        "body": "## Une reprise par les salariés\n\nEn 1998, le fondateur part à la retraite et les neuf "
        "salariés reprennent l'entreprise sous forme de société coopérative et participative. Ils sont "
        "aujourd'hui trente-deux.\n\n## Répartition des résultats\n\nLes excédents sont répartis entre les "
        "réserves impartageables, la participation des salariés et la rémunération du capital. Les réserves "
        "ont permis de traverser la crise de 2009 sans licenciement.\n\n## Un ancrage territorial\n\nLa "
        "coopérative achète son bois à une scierie du Morbihan et forme chaque année des apprentis.",
        "source": "Mémoire, promotion Paris 2022",
        "authors": "Yannick Le Goff",
    },
    {
        "title": "La Fabrique à Savoirs : éducation populaire en milieu rural",
        "organisation": "La Fabrique à Savoirs",
        "legal_form": "Association",
        "sector": "Éducation populaire",
        "region": "Occitanie",
        "department": "Ariège",
        "town": "Saint-Girons",
        "year": 1987,
        "themes": ["éducation populaire", "ruralité", "numérique"],
        "summary": "Une association qui anime un tiers-lieu, des ateliers numériques et des universités "
        "populaires dans les vallées du Couserans.",
        "body": "## Un projet né dans les vallées\n\nDes enseignants et des agriculteurs créent l'association "
        "en 1987 pour rompre l'isolement des villages. Les premières soirées-débats se tiennent dans les "
        "salles des fêtes.\n\n## Aujourd'hui\n\nL'association emploie six salariés et s'appuie sur une "
        "centaine de bénévoles. Elle anime un tiers-lieu avec espace numérique, bibliothèque d'outils et "
        "café associatif.\n\n## Modèle économique\n\nLes financements combinent conventions avec la "
        "communauté de communes, fonds européens LEADER et cotisations.",
        "source": "Mémoire, promotion Lille 2023",
        "authors": "Mathilde Roux",
    },
    {
        "title": "Le Panier solidaire : une épicerie coopérative et des circuits courts",
        "organisation": "Le Panier solidaire",
        "legal_form": "SCIC",
        "sector": "Alimentation",
        "region": "Hauts-de-France",
        "department": "Nord",
        "town": "Roubaix",
        "year": 2016,
        "themes": ["alimentation", "circuits courts", "précarité alimentaire"],
        "summary": "Une épicerie coopérative qui rassemble producteurs, salariés, habitants et collectivité, "
        "avec des prix différenciés selon les revenus.",
        "body": "## Le multisociétariat\n\nLa société coopérative d'intérêt collectif réunit quatre collèges : "
        "les producteurs locaux, les salariés, les clients-sociétaires et la ville de Roubaix.\n\n## Des prix "
        "solidaires\n\nTrois niveaux de prix sont proposés selon le quotient familial. Les légumes viennent "
        "de onze fermes situées à moins de quarante kilomètres.\n\n## Résultats\n\nEn 2023, l'épicerie "
        "compte 1 200 sociétaires et a atteint l'équilibre financier.",
        "source": "Mémoire, promotion Lille 2022",
        "authors": "Sofiane Benali, Anne Dewitte",
        "pdf": (
            "Le Panier solidaire – charte des producteurs",
            [
                "Les producteurs s'engagent à pratiquer une agriculture sans pesticides de synthèse et à "
                "ouvrir leur ferme aux sociétaires une fois par an.",
                "Le prix payé au producteur est fixé chaque année en assemblée du collège producteurs, "
                "indépendamment des cours du marché de gros.",
                "La légumerie mutualisée transforme les invendus en soupes distribuées aux familles.",
            ],
        ),
    },
    {
        "title": "Ouvrages & Compagnie : une coopérative d'activité et d'emploi",
        "organisation": "Ouvrages & Compagnie",
        "legal_form": "CAE",
        "sector": "Insertion",
        "region": "Provence-Alpes-Côte d'Azur",
        "department": "Bouches-du-Rhône",
        "town": "Marseille",
        "year": 2004,
        "themes": ["entrepreneuriat collectif", "emploi", "mutualisation"],
        "summary": "Une CAE qui accueille 180 entrepreneurs-salariés : traducteurs, graphistes, artisans et "
        "formateurs partagent services et protection sociale.",
        "body": "## Entreprendre sans être seul\n\nLa coopérative d'activité et d'emploi permet de tester puis "
        "de développer une activité en bénéficiant du statut d'entrepreneur-salarié.\n\n## Les services "
        "mutualisés\n\nComptabilité, assurance, formation et un local partagé sont financés par une "
        "contribution de 10 % du chiffre d'affaires.\n\n## Devenir associé\n\nAprès trois ans, "
        "l'entrepreneur peut devenir associé et participer aux décisions.",
        "source": "Mémoire, promotion Paris 2021",
        "authors": "Nadia Haddad",
    },
    {
        "title": "Mutuelle des Côtes : la prévention au cœur d'une mutuelle de santé",
        "organisation": "Mutuelle des Côtes",
        "legal_form": "Mutuelle",
        "sector": "Santé",
        "region": "Normandie",
        "department": "Manche",
        "town": "Cherbourg-en-Cotentin",
        "year": 1946,
        "themes": ["santé", "prévention", "gouvernance démocratique"],
        "summary": "Une mutuelle régionale de 40 000 adhérents qui consacre une part croissante de ses "
        "ressources à la prévention.",
        "body": "## Une histoire ouvrière\n\nFondée par les ouvriers de l'arsenal en 1946, la mutuelle "
        "couvre aujourd'hui salariés, retraités et indépendants du Cotentin.\n\n## Prévention\n\nDes "
        "ateliers sur le sommeil, la nutrition et les risques professionnels sont animés avec des "
        "associations locales.\n\n## Démocratie mutualiste\n\nLes délégués élus par section votent le "
        "budget et les cotisations chaque année.",
        "source": "Étude de cas, bloc 2",
        "authors": "Hélène Lefèvre",
    },
    {
        "title": "Fondation Terre d'Accueil : l'hébergement des personnes exilées",
        "organisation": "Fondation Terre d'Accueil",
        "legal_form": "Fondation",
        "sector": "Action sociale",
        "region": "Île-de-France",
        "department": "Seine-Saint-Denis",
        "town": "Montreuil",
        "year": 2011,
        "themes": ["hébergement", "migrations", "mécénat"],
        "summary": "Une fondation abritée qui finance des logements passerelles et l'accompagnement de "
        "personnes exilées vers l'emploi.",
        "body": "## Le choix de la fondation\n\nLe statut de fondation abritée permet de recevoir des legs et "
        "du mécénat d'entreprise tout en gardant une gouvernance resserrée.\n\n## Les actions\n\nSoixante "
        "logements passerelles, des cours de français et un partenariat avec des entreprises du bâtiment "
        "pour l'accès à l'emploi.\n\n## Limites\n\nLa dépendance au mécénat rend le budget fragile.",
        "source": "Mémoire, promotion Paris 2023",
        "authors": "Omar Diallo",
    },
    {
        "title": "Les Ateliers du Rebond : une entreprise d'insertion du réemploi",
        "organisation": "Les Ateliers du Rebond",
        "legal_form": "Entreprise d'insertion",
        "sector": "Insertion",
        "region": "Grand Est",
        "department": "Bas-Rhin",
        "town": "Strasbourg",
        "year": 2008,
        "themes": ["réemploi", "insertion", "économie circulaire"],
        "summary": "Collecte, réparation et revente d'électroménager avec des salariés en parcours "
        "d'insertion.",
        "body": "## Le parcours d'insertion\n\nQuarante salariés en contrat à durée déterminée d'insertion "
        "sont accompagnés par deux conseillères. Sept sur dix trouvent un emploi ou une formation à la "
        "sortie.\n\n## Le réemploi\n\nLes appareils collectés en déchetterie sont testés, réparés et "
        "vendus avec une garantie d'un an dans deux boutiques.\n\n## Partenariats\n\nL'eurométropole met "
        "à disposition les locaux ; un bailleur social équipe ses logements avec les appareils reconditionnés.",
        "source": "Mémoire, promotion Lille 2021",
        "authors": "Thomas Keller",
        "pdf": (
            "Les Ateliers du Rebond – bilan social",
            [
                "En 2023, 78 personnes ont été accompagnées ; 52 ont trouvé un emploi durable, une formation "
                "qualifiante ou créé leur activité.",
                "Le réemploi a évité 310 tonnes de déchets. Les réfrigérateurs reconditionnés sont vendus "
                "à moitié prix aux ménages orientés par les travailleurs sociaux.",
            ],
        ),
    },
    {
        "title": "L'ESAT des Vignes : travail protégé et viticulture",
        "organisation": "ESAT des Vignes",
        "legal_form": "ESAT",
        "sector": "Action sociale",
        "region": "Nouvelle-Aquitaine",
        "department": "Gironde",
        "town": "Libourne",
        "year": 1979,
        "themes": ["handicap", "agriculture", "travail protégé"],
        "summary": "Un établissement et service d'aide par le travail qui cultive douze hectares de vigne "
        "avec des travailleurs en situation de handicap.",
        "body": "## Le travail comme support\n\nSoixante travailleurs exercent la taille, les vendanges et "
        "l'entretien d'espaces verts, avec un accompagnement médico-social.\n\n## Vers le milieu "
        "ordinaire\n\nDes mises à disposition dans les châteaux voisins préparent certains travailleurs à "
        "un emploi en entreprise.\n\n## Vin biologique\n\nLe domaine est certifié en agriculture "
        "biologique depuis 2015.",
        "source": "Étude de cas, bloc 3",
        "authors": "Isabelle Marty",
    },
    {
        "title": "Radio Gâtine : une radio associative de pays",
        "organisation": "Radio Gâtine",
        "legal_form": "Association",
        "sector": "Culture",
        "region": "Nouvelle-Aquitaine",
        "department": "Deux-Sèvres",
        "town": "Parthenay",
        "year": 1982,
        "themes": ["médias", "culture", "ruralité"],
        "summary": "Une radio locale qui donne la parole aux habitants et forme les jeunes au journalisme.",
        "body": "## Les radios libres\n\nNée de la libéralisation des ondes en 1981, la radio émet depuis "
        "une ancienne école.\n\n## Programmes\n\nChroniques agricoles, émissions en langue poitevine et "
        "ateliers radio dans les collèges.\n\n## Financement\n\nLe fonds de soutien à l'expression "
        "radiophonique et les adhésions assurent l'essentiel du budget.",
        "source": "Mémoire, promotion Paris 2024",
        "authors": "Lucas Girard",
    },
    {
        "title": "Énergies citoyennes du Vercors : une SCIC de production d'électricité",
        "organisation": "Énergies citoyennes du Vercors",
        "legal_form": "SCIC",
        "sector": "Environnement",
        "region": "Auvergne-Rhône-Alpes",
        "department": "Isère",
        "town": "Villard-de-Lans",
        "year": 2018,
        "themes": ["énergie", "transition écologique", "épargne citoyenne"],
        "summary": "Des habitants et des communes financent ensemble des toitures photovoltaïques.",
        "body": "## Une épargne locale\n\nQuatre cents sociétaires ont souscrit des parts pour installer des "
        "panneaux solaires sur les écoles et les gymnases.\n\n## Gouvernance\n\nLes communes détiennent "
        "un collège ; aucune voix ne pèse plus de 20 %.\n\n## Perspectives\n\nUn projet de petite "
        "hydroélectricité est à l'étude.",
        "source": "Mémoire, promotion Lyon 2024",
        "authors": "Pauline Chabert",
    },
    {
        "title": "Toit Solidaire Loire : un bailleur associatif",
        "organisation": "Toit Solidaire Loire",
        "legal_form": "Association",
        "sector": "Habitat",
        "region": "Pays de la Loire",
        "department": "Loire-Atlantique",
        "town": "Nantes",
        "year": 1993,
        "themes": ["habitat", "logement d'insertion", "bénévolat"],
        "summary": "Une association qui capte des logements dans le parc privé pour les louer à des ménages "
        "modestes, avec un accompagnement bénévole.",
        "body": "## Capter des logements\n\nDes propriétaires confient leur bien en gestion contre une "
        "garantie de loyer. L'association loue ensuite à des familles en difficulté.\n\n## Accompagnement\n\n"
        "Chaque ménage est suivi par un bénévole et une travailleuse sociale.\n\n## Coopérative foncière\n\n"
        "Depuis 2020, une coopérative foncière achète des logements anciens pour les rénover.",
        "source": "Mémoire, promotion Paris 2022",
        "authors": "Marion Lebrun",
    },
    {
        "title": "Le Champ commun : une SCOP de maraîchage et de restauration",
        "organisation": "Le Champ commun",
        "legal_form": "SCOP",
        "sector": "Alimentation",
        "region": "Centre-Val de Loire",
        "department": "Loiret",
        "town": "Orléans",
        "year": 2010,
        "themes": ["alimentation", "agriculture", "circuits courts"],
        "summary": "Six associés cultivent des légumes et tiennent une cantine qui les cuisine le midi.",
        "body": "## De la terre à l'assiette\n\nLes légumes du maraîchage sont servis dans la cantine de la "
        "coopérative et vendus en paniers.\n\n## Égalité des salaires\n\nTous les associés perçoivent la "
        "même rémunération horaire, décision prise dès la création.\n\n## Transmission\n\nUn dispositif "
        "d'entrée progressive au capital accueille les nouveaux associés.",
        "source": "Mémoire, promotion Paris 2021",
        "authors": "Antoine Richard",
    },
]
