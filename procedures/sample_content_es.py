"""Spanish sample content: the lumbar puncture sample, in plain Spanish.

SAMPLE CONTENT, like the English it follows (see `procedures.sample_content`):
written for demonstration, not medical advice, and not approved for use with
patients. The clinic's own clinicians and a qualified medical translator must
review every word before it is used with real patients.

It matches the English sample item by item and in the same order: each list
has one entry per risk, preparation step, checklist item and comprehension
question of the English sample. Checklist items that put no question to the
patient have an empty question here too. Written with "usted", in short
sentences and everyday words, in neutral Spanish for patients from any
Spanish-speaking country.
"""

from __future__ import annotations

LUMBAR_PUNCTURE_ES = {
    "name": "Punción lumbar",
    "summary": (
        "Una punción lumbar es una prueba que saca una pequeña cantidad del "
        "líquido transparente que rodea el cerebro y la médula espinal. Una "
        "aguja fina entra en la parte baja de la espalda, por debajo del lugar "
        "donde termina la médula espinal. Por eso la aguja no toca la médula "
        "espinal."
    ),
    "what_happens": (
        "El procedimiento lo hace un médico o una enfermera con formación "
        "especial. Normalmente se hace en una planta del hospital o en una "
        "sala de la clínica. En total dura unos 30 a 45 minutos. La parte de la "
        "aguja muchas veces dura solo unos minutos. Usted está despierto todo "
        "el tiempo.\n\n"
        "- Usted se acuesta de lado, con las rodillas dobladas hacia el pecho y "
        "la barbilla hacia abajo. Algunas personas, en cambio, se sientan en el "
        "borde de la cama y se inclinan hacia delante sobre una almohada. Al "
        "encogerse así, se abren los espacios entre los huesos de la espalda.\n"
        "- El médico toca la parte baja de su espalda para encontrar el espacio "
        "correcto. Está en la parte baja de la espalda, por debajo del final de "
        "la médula espinal.\n"
        "- Le limpian la piel con un líquido frío. Después le ponen en la piel "
        "un medicamento para adormecer la zona (anestesia local) con una aguja "
        "pequeña. Esto pica unos segundos.\n"
        "- Una aguja fina pasa entre dos huesos hasta el espacio donde está el "
        "líquido. Puede sentir que empujan o que aprietan. Avise al médico si "
        "siente un dolor fuerte o un hormigueo que baja por una pierna.\n"
        "- El médico puede medir la presión del líquido. Después recoge unos "
        "tubitos de líquido. Este líquido se llama líquido cefalorraquídeo, o "
        "LCR. Su cuerpo pronto fabrica más para reponerlo.\n"
        "- Sacan la aguja y le ponen un apósito pequeño.\n\n"
        "A veces se usa una radiografía o una ecografía para guiar la aguja. "
        "Esto puede ayudar si cuesta notar los huesos.\n\n"
        "Intente quedarse quieto mientras la aguja está puesta. Puede hablar "
        "con el equipo en cualquier momento. Si quiere que paren, solo tiene "
        "que decirlo.\n\n"
        "Después descansará un rato, normalmente alrededor de una hora, antes "
        "de irse a casa."
    ),
    "indications": (
        "Una punción lumbar ayuda a sus médicos a saber qué causa sus "
        "síntomas. El análisis del líquido puede mostrar cosas que los "
        "análisis de sangre y las imágenes no pueden mostrar. Se puede hacer "
        "para:\n\n"
        "- Buscar una infección, como la meningitis.\n"
        "- Buscar un sangrado alrededor del cerebro cuando una imagen no lo ha "
        "mostrado.\n"
        "- Ayudar a encontrar enfermedades del cerebro y los nervios, como la "
        "esclerosis múltiple (EM) o el síndrome de Guillain-Barré.\n"
        "- Buscar algunos tipos de células de cáncer en el líquido.\n"
        "- Medir la presión del líquido, por ejemplo si usted tiene dolores de "
        "cabeza y cambios en la vista.\n\n"
        "A veces también se usa para tratar un problema. Se puede sacar "
        "líquido para bajar una presión alta. Se pueden poner medicamentos, "
        "como algunos medicamentos contra el cáncer, directamente en el "
        "líquido.\n\n"
        "Su médico le dirá por qué cree que usted necesita esta prueba."
    ),
    "benefits": (
        "La prueba puede dar respuestas claras a sus médicos. Puede confirmar "
        "o descartar problemas graves, como una infección. Así usted puede "
        "recibir antes el tratamiento correcto, o evitar un tratamiento que no "
        "necesita.\n\n"
        "Si la presión del líquido es demasiado alta, sacar algo de líquido "
        "puede aliviar los dolores de cabeza y ayudar a proteger la vista.\n\n"
        "Algunos resultados están listos en un día. Otros pueden tardar unas "
        "semanas."
    ),
    "alternatives": (
        "- No hacer la prueba (ningún tratamiento). Usted puede decidir no "
        "hacerse una punción lumbar. Entonces sus médicos tendrán menos "
        "información. Un problema grave, como una infección, podría pasar "
        "desapercibido, o el tratamiento podría retrasarse. Puede que sus "
        "médicos tengan que darle un tratamiento según lo que creen más "
        "probable. Respetarán su decisión y le explicarán lo que significa "
        "para usted.\n"
        "- Imágenes. Una tomografía (TAC: fotos detalladas con rayos X) o una "
        "resonancia magnética (fotos hechas con un imán potente) muestran "
        "el cerebro y la columna. Muchas veces se hacen primero. Pero no pueden "
        "analizar el líquido, así que no siempre pueden sustituir a una "
        "punción lumbar.\n"
        "- Análisis de sangre. Pueden ayudar, pero no muestran lo que hay en "
        "el líquido que rodea el cerebro.\n"
        "- Esperar y vigilar. Para algunos problemas, puede ser seguro esperar "
        "y ver cómo cambian sus síntomas.\n\n"
        "Su médico le explicará cuáles de estas opciones le convienen."
    ),
    "recovery": (
        "La mayoría de las personas se va a casa el mismo día. Tómese el resto "
        "del día con calma. Evite levantar cosas pesadas y hacer ejercicio "
        "fuerte durante uno o dos días. Beba con normalidad. Puede que la "
        "espalda le duela o tenga un moretón durante unos días. Los "
        "analgésicos sencillos, como el acetaminofén (paracetamol), pueden "
        "ayudar.\n\n"
        "Algunas personas tienen dolor de cabeza en los primeros días. Empeora "
        "al sentarse o ponerse de pie y mejora al acostarse. Acuéstese en "
        "plano, beba mucho líquido y tome analgésicos sencillos. Las bebidas "
        "con cafeína, como el café o los refrescos de cola, pueden ayudar. "
        "Llame al equipo si el dolor de cabeza es fuerte o dura más de uno o "
        "dos días. Pueden ofrecerle otro tratamiento.\n\n"
        "Pida ayuda médica urgente enseguida si tiene cualquiera de estas "
        "cosas:\n\n"
        "- Un dolor de cabeza muy fuerte con fiebre, rigidez en el cuello o "
        "dolor al mirar una luz fuerte.\n"
        "- Un dolor de cabeza fuerte incluso acostado en plano.\n"
        "- Adormecimiento o debilidad nuevos en las piernas.\n"
        "- Adormecimiento alrededor de las nalgas o entre las piernas, o no "
        "puede controlar la orina o las heces.\n"
        "- Un dolor fuerte de espalda que empeora cada vez más.\n"
        "- Enrojecimiento, hinchazón, pus o salida de líquido donde entró la "
        "aguja.\n"
        "- Confusión o mucho sueño, o una convulsión."
    ),
    "risks": [
        {
            "title": "Dolor de cabeza después del procedimiento",
            "description": (
                "Es el problema más frecuente. Puede salir un poco de líquido por "
                "el agujero diminuto que hace la aguja. Esto puede causar un "
                "dolor de cabeza que empeora al sentarse o ponerse de pie y "
                "mejora al acostarse en plano. Suele empezar en 1 a 3 días. La "
                "mayoría de estos dolores de cabeza se quitan solos en una "
                "semana.\n\n"
                "Acostarse en plano, beber mucho líquido y tomar analgésicos "
                "sencillos puede ayudar. Las bebidas con cafeína, como el café o "
                "los refrescos de cola, también pueden ayudar. Si el dolor de "
                "cabeza es fuerte o dura más de uno o dos días, llame al equipo. "
                "Pueden ofrecerle un parche de sangre. Para esto, se pone una "
                "pequeña cantidad de su propia sangre en la espalda, cerca del "
                "agujero. La sangre forma un coágulo y cierra la fuga. Funciona "
                "bien en la mayoría de las personas."
            ),
        },
        {
            "title": "Dolor de espalda o moretón",
            "description": (
                "Puede que la espalda le duela o tenga un moretón donde entró la "
                "aguja. Normalmente mejora en unos días. Los analgésicos "
                "sencillos pueden ayudar."
            ),
        },
        {
            "title": "Dolor u hormigueo breve en una pierna",
            "description": (
                "La aguja puede rozar un nervio. Puede sentir una sensación "
                "corta, aguda o como una descarga eléctrica que baja por una "
                "pierna. Avise al médico si pasa esto, y moverá la aguja. Casi "
                "siempre se quita enseguida."
            ),
        },
        {
            "title": "Necesitar otro intento",
            "description": (
                "A veces el médico no consigue sacar líquido en el primer "
                "intento. Puede volver a intentarlo en otro espacio, o usar una "
                "radiografía o una ecografía para guiar la aguja. De vez en "
                "cuando, hay que repetir la prueba otro día."
            ),
        },
        {
            "title": "Infección",
            "description": (
                "Podrían entrar microbios por donde la aguja atraviesa la piel. "
                "Esto podría causar una infección de la piel o, muy rara vez, "
                "meningitis (una infección alrededor del cerebro y la médula "
                "espinal) o una bolsa de pus cerca de la columna. El equipo "
                "trabaja de forma limpia (estéril) para evitarlo. Una infección "
                "se trata con antibióticos. Pida ayuda enseguida si tiene fiebre "
                "con un dolor de cabeza fuerte o rigidez en el cuello."
            ),
        },
        {
            "title": "Sangrado dentro de la columna",
            "description": (
                "Es frecuente un pequeño moretón debajo de la piel. Muy rara vez, "
                "se acumula sangre dentro de la columna y aprieta los nervios. El "
                "riesgo es mayor si usted toma medicamentos para hacer la sangre "
                "más líquida (anticoagulantes) o si su sangre no coagula bien. "
                "Por eso revisamos antes sus medicamentos y sus análisis de "
                "sangre. Este problema necesita una imagen urgente y, a veces, "
                "una operación. Pida ayuda enseguida si tiene un dolor fuerte de "
                "espalda con adormecimiento o debilidad nuevos en las piernas."
            ),
        },
        {
            "title": "Daño a un nervio",
            "description": (
                "La aguja entra por debajo del lugar donde termina la médula "
                "espinal, así que es muy poco probable dañar la médula. Muy rara "
                "vez se daña un nervio de la parte baja de la espalda. Esto "
                "podría causar adormecimiento, dolor o debilidad duraderos en "
                "una pierna."
            ),
        },
        {
            "title": "Problema de presión en el cerebro",
            "description": (
                "Si la presión dentro de la cabeza es muy alta, por ejemplo por "
                "una hinchazón grande en el cerebro, sacar líquido podría hacer "
                "que el cerebro se desplace. Esto puede poner la vida en "
                "peligro. Su médico busca primero señales de presión alta y pide "
                "una imagen del cerebro si hace falta. Por eso este problema es "
                "muy raro."
            ),
        },
    ],
    "preparation_steps": [
        {
            "instruction": (
                "Avise al equipo si toma algún medicamento que hace la sangre "
                "más líquida. Por ejemplo: warfarina, apixabán, rivaroxabán, "
                "dabigatrán, edoxabán, inyecciones de heparina, clopidogrel y "
                "aspirina. Puede que tenga que dejar algunos durante unos días. "
                "No deje ningún medicamento a menos que el equipo se lo haya "
                "dicho."
            ),
            "timing": "7 días antes",
        },
        {
            "instruction": (
                "Avise al equipo si tiene alguna alergia, un problema de "
                "sangrado o alguna posibilidad de estar embarazada. Avise "
                "también si tiene un sarpullido o una herida en la parte baja "
                "de la espalda, o si se siente mal y tiene fiebre."
            ),
            "timing": "7 días antes",
        },
        {
            "instruction": (
                "Si le pidieron un análisis de sangre antes del procedimiento, "
                "asegúrese de que ya se lo hizo. Sirve para comprobar que su "
                "sangre coagula con normalidad."
            ),
            "timing": "7 días antes",
        },
        {
            "instruction": (
                "Pida a alguien que le lleve a casa. Es mejor no manejar usted "
                "mismo de vuelta a casa ese día. Planee descansar el resto del "
                "día."
            ),
            "timing": "El día antes",
        },
        {
            "instruction": (
                "Puede comer y beber con normalidad, a menos que el equipo le "
                "diga otra cosa. Tome sus medicamentos de siempre, menos los que "
                "le hayan dicho que deje. Dúchese y póngase ropa suelta y "
                "cómoda."
            ),
            "timing": "La mañana del procedimiento",
        },
        {
            "instruction": (
                "Traiga una lista de todos los medicamentos que toma, y sus "
                "gafas o audífonos si los usa. Vaya al baño justo antes del "
                "procedimiento."
            ),
            "timing": "La mañana del procedimiento",
        },
        {
            "instruction": (
                "Descanse el resto del día y beba mucho líquido. Si tiene un "
                "dolor de cabeza que empeora al sentarse, acuéstese en plano y "
                "llame al equipo si no mejora en uno o dos días."
            ),
            "timing": "Después del procedimiento",
        },
    ],
    # One per English checklist item, in the same order; "" where the item asks the patient nothing.
    "checklist_items": [
        {"patient_question": ""},
        {
            "patient_question": (
                "¿Tiene alguna alergia? Puede ser a un medicamento, al látex, al "
                "esparadrapo o a un líquido para limpiar la piel."
            )
        },
        {
            "patient_question": (
                "¿Toma algún medicamento para hacer la sangre más líquida? Puede "
                "ser warfarina, apixabán, rivaroxabán, clopidogrel, aspirina o un "
                "medicamento parecido."
            ),
            "patient_prompt": (
                "Llame a la clínica antes de dejar o cambiar cualquier medicamento. "
                "No deje de tomar un medicamento para la sangre a menos que su equipo se lo indique."
            ),
        },
        {"patient_question": ""},
        {"patient_question": ""},
        {
            "patient_question": (
                "¿Tiene fiebre, o un sarpullido, una herida o una infección en la parte baja de la espalda?"
            )
        },
        {
            "patient_question": "¿Hay alguna posibilidad de que esté embarazada?",
            "patient_prompt": (
                "Llame a la clínica antes de su cita. Es posible que se usen rayos X, "
                "y el equipo hablará con usted sobre lo más seguro."
            ),
        },
        {"patient_question": "¿Ha organizado que alguien le lleve a casa después del procedimiento?"},
        {"patient_question": ""},
    ],
    "questions": [
        {
            "question": "¿Qué saca de su cuerpo una punción lumbar?",
            "choices": [
                "Líquido de dentro de la médula espinal",
                (
                    "Líquido transparente de alrededor del cerebro y la médula espinal, "
                    "sacado de la parte baja de la espalda"
                ),
                "Un trocito de hueso de la espalda",
                "Sangre de una vena de la espalda",
            ],
            "explanation": (
                "La prueba saca una pequeña cantidad del líquido transparente "
                "que rodea el cerebro y la médula espinal. La aguja entra en la "
                "parte baja de la espalda, por debajo del lugar donde termina "
                "la médula espinal, así que no toca la médula espinal. Su "
                "cuerpo pronto fabrica más líquido."
            ),
        },
        {
            "question": "Un día después tiene un dolor de cabeza que empeora al sentarse. ¿Qué debe hacer?",
            "choices": [
                "Seguir como siempre y beber menos",
                "Acostarse en plano, beber mucho, tomar analgésicos y llamarnos si no mejora",
                "Esperar dos semanas antes de decírselo a alguien",
            ],
            "explanation": (
                "Este tipo de dolor de cabeza es frecuente y suele mejorar solo. "
                "Ayuda acostarse en plano, beber mucho y tomar analgésicos "
                "sencillos. La cafeína también puede ayudar. Si es fuerte o dura "
                "más de uno o dos días, llame al equipo, porque pueden tratarlo. "
                "Pida ayuda enseguida si además tiene fiebre o rigidez en el "
                "cuello."
            ),
        },
        {
            "question": "¿Puede cambiar de opinión después de firmar?",
            "choices": [
                "No, después de firmar tiene que seguir adelante",
                "Sí, puede cambiar de opinión en cualquier momento",
                "Solo si su médico está de acuerdo",
            ],
            "explanation": (
                "La decisión siempre es suya. Puede cambiar de opinión en "
                "cualquier momento, incluso después de firmar e incluso el mismo "
                "día. Solo tiene que decírselo al equipo. Hablarán con usted "
                "sobre lo que significa para su atención."
            ),
        },
    ],
}
