"""Sample clinical content for the four demonstration procedures.

This is SAMPLE CONTENT, written for demonstration only. It was drafted from
public source documents and general medical knowledge, in the style of a
typical patient information leaflet. It is not medical advice and has not been
approved for use with patients. A clinic's own clinicians must review, correct
and approve every word, figure and checklist item before it is used with real
patients.

Notes for reviewers:

- Frequency bands follow the usual convention: very common (more than 1 in
  10), common (1 in 10 to 1 in 100), uncommon (1 in 100 to 1 in 1,000), rare
  (1 in 1,000 to 1 in 10,000), very rare (fewer than 1 in 10,000). Where a
  figure is given it is a typical leaflet figure, not a local audit result.
- Patient-facing text is written to a reading grade of about 8 or below
  (Flesch-Kincaid), in American spelling and plain words.
- Text is plain: paragraphs are separated by a blank line and bullet lists
  use lines starting with "- ".
"""

from __future__ import annotations

from procedures.sample_content_es import LUMBAR_PUNCTURE_ES

SAMPLE_PROCEDURES = [
    # ------------------------------------------------------------------
    # Lumbar puncture
    # ------------------------------------------------------------------
    {
        "slug": "lumbar-puncture",
        # The same content in Spanish (sample content too), item by item.
        "translations": {"es": LUMBAR_PUNCTURE_ES},
        "name": "Lumbar puncture",
        "summary": (
            "A lumbar puncture is also called a spinal tap. It is a test that "
            "takes a small amount of the clear fluid around your brain and "
            "spinal cord. A thin needle goes into your lower back, below where "
            "the spinal cord ends. So the needle does not touch the spinal "
            "cord."
        ),
        "what_happens": (
            "A doctor or a specially trained nurse will do the procedure. It "
            "is usually done on a ward or in a clinic room. It takes about 30 "
            "to 45 minutes in all. The needle part often takes only a few "
            "minutes. You stay awake the whole time.\n\n"
            "- You lie on your side with your knees pulled up to your chest "
            "and your chin tucked down. Some people sit on the edge of the bed "
            "and lean forward over a pillow instead. Curling up like this "
            "opens the gaps between the bones of your back.\n"
            "- The doctor feels your lower back to find the right gap. This "
            "is low down in your back, below the end of the spinal cord.\n"
            "- Your skin is cleaned with a cold liquid. Then numbing medicine "
            "(a local anesthetic) is put into the skin with a small needle. "
            "This stings for a few seconds.\n"
            "- A thin needle is passed between two bones into the space that "
            "holds the fluid. You may feel pushing or pressure. Tell the "
            "doctor if you feel a sharp pain or tingling down a leg.\n"
            "- The doctor may measure the pressure of the fluid. Then a few "
            "small tubes of fluid are collected. This fluid is called "
            "cerebrospinal fluid, or CSF. Your body soon makes more to "
            "replace it.\n"
            "- The needle is taken out and a small dressing is put on.\n\n"
            "Sometimes an X-ray or an ultrasound scan is used to guide the "
            "needle. This can help if the bones are hard to feel.\n\n"
            "Please try to keep still while the needle is in. You can talk to "
            "the team at any time. If you want them to stop, just say so.\n\n"
            "Afterward, you will rest for a short time, usually about an "
            "hour, before you go home."
        ),
        "indications": (
            "A lumbar puncture helps your doctors find out what is causing "
            "your symptoms. Testing the fluid can show things that blood "
            "tests and scans cannot show. It may be done to:\n\n"
            "- Look for an infection, such as meningitis.\n"
            "- Look for bleeding around the brain when a scan has not shown "
            "it.\n"
            "- Help find conditions that affect the brain and nerves, such as "
            "multiple sclerosis (MS) or Guillain-Barre syndrome.\n"
            "- Look for some kinds of cancer cells in the fluid.\n"
            "- Measure the pressure of the fluid, for example if you have "
            "headaches and changes in your eyesight.\n\n"
            "Sometimes it is also used to treat a problem. Fluid can be taken "
            "off to lower high pressure. Medicine, such as some cancer "
            "medicines, can be put straight into the fluid.\n\n"
            "Your doctor will tell you why they think you need this test."
        ),
        "benefits": (
            "The test can give your doctors clear answers. It can confirm or "
            "rule out serious problems, such as an infection. This means you "
            "can get the right treatment sooner, or avoid treatment you do "
            "not need.\n\n"
            "If the pressure of the fluid is too high, taking some fluid off "
            "can ease headaches and help protect your eyesight.\n\n"
            "Some results are ready within a day. Others can take a few weeks."
        ),
        "alternatives": (
            "- No test (no treatment). You can choose not to have a lumbar puncture. Your "
            "doctors will then have less information. A serious problem, "
            "such as an infection, could be missed, or treatment could be "
            "delayed. Your doctors may need to give treatment based on their "
            "best guess. They will respect your choice and talk you through "
            "what it means for you.\n"
            "- Scans. A CT scan (detailed X-ray pictures) or an MRI scan "
            "(pictures made with a strong magnet) shows the brain and spine. Scans are "
            "often done first. But they cannot test the fluid itself, so they "
            "cannot always replace a lumbar puncture.\n"
            "- Blood tests. These can help, but they cannot show what is in "
            "the fluid around your brain.\n"
            "- Watch and wait. For some problems, it may be safe to wait and "
            "see how your symptoms change.\n\n"
            "Your doctor will explain which of these options suit you."
        ),
        "recovery": (
            "Most people go home the same day. Take it easy for the rest of "
            "the day. Avoid heavy lifting and hard exercise for a day or two. "
            "Drink normally. Your back may feel sore or bruised for a few "
            "days. Simple painkillers, such as acetaminophen (paracetamol), "
            "can help.\n\n"
            "Some people get a headache in the first few days. It is worse "
            "when you sit or stand and better when you lie down. Lie flat, "
            "drink plenty of fluids and take simple painkillers. Drinks with "
            "caffeine, such as coffee or cola, may help. Contact the team if "
            "the headache is bad or lasts more than a day or two. They can "
            "offer more treatment.\n\n"
            "Get urgent medical help straight away if you have any of these:\n\n"
            "- A very bad headache with a fever, a stiff neck, or pain when "
            "you look at bright light.\n"
            "- A headache that is bad even when you lie flat.\n"
            "- New numbness or weakness in your legs.\n"
            "- Numbness around your bottom or between your legs, or you "
            "cannot control your bladder or bowels.\n"
            "- Bad pain in your back that keeps getting worse.\n"
            "- Redness, swelling, pus or fluid leaking where the needle went "
            "in.\n"
            "- Feeling confused or very sleepy, or having a seizure."
        ),
        "risks": [
            {
                "title": "Headache after the procedure",
                "description": (
                    "This is the most common problem. A little fluid can "
                    "leak through the tiny hole the needle makes. This can "
                    "cause a headache that is worse when you sit or stand "
                    "and better when you lie flat. It usually starts within "
                    "1 to 3 days. Most of these headaches go away by "
                    "themselves within a week.\n\n"
                    "Lying flat, drinking plenty of fluids and taking simple "
                    "painkillers can help. Drinks with caffeine, such as "
                    "coffee or cola, may also help. If the headache is bad "
                    "or lasts more than a day or two, contact the team. They "
                    "may offer a blood patch. For this, a small amount of "
                    "your own blood is put into your back near the hole. It "
                    "clots and seals the leak. This works well for most "
                    "people."
                ),
                "frequency": "very_common",
                "frequency_n": 1,
                "frequency_m": 5,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Back pain or bruising",
                "description": (
                    "Your back may feel sore or bruised where the needle "
                    "went in. This usually gets better within a few days. "
                    "Simple painkillers can help."
                ),
                "frequency": "very_common",
                "frequency_n": 1,
                "frequency_m": 4,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Brief pain or tingling in a leg",
                "description": (
                    "The needle can brush against a nerve. You may feel a "
                    "short, sharp or electric feeling down one leg. Tell the "
                    "doctor if this happens, and they will move the needle. "
                    "It almost always stops straight away."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 10,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Needing another try",
                "description": (
                    "Sometimes the doctor cannot get fluid at the first try. "
                    "They may try again at a different gap, or use an X-ray "
                    "or ultrasound scan to guide the needle. Now and then, "
                    "the test needs to be done again on another day."
                ),
                "frequency": "common",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Infection",
                "description": (
                    "Germs could get in where the needle goes through the "
                    "skin. This could cause a skin infection or, very "
                    "rarely, meningitis (an infection around the brain and "
                    "spinal cord) or a pocket of pus near the spine. The "
                    "team uses a clean (sterile) method to prevent this. An "
                    "infection is treated with antibiotics. Get help "
                    "straight away if you have a fever with a bad headache "
                    "or a stiff neck."
                ),
                "frequency": "rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Bleeding inside the spine",
                "description": (
                    "A little bruising under the skin is common. Very "
                    "rarely, blood collects inside the spine and presses on "
                    "the nerves. The risk is higher if you take blood "
                    "thinners or your blood does not clot well. This is why "
                    "we check your medicines and blood tests first. This "
                    "problem needs an urgent scan, and sometimes an "
                    "operation. Get help straight away if you have bad back "
                    "pain with new numbness or weakness in your legs."
                ),
                "frequency": "very_rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Nerve damage",
                "description": (
                    "The needle goes in below where the spinal cord ends, so "
                    "harm to the spinal cord is very unlikely. Very rarely, "
                    "a nerve in the lower back is harmed. This could cause "
                    "lasting numbness, pain or weakness in a leg."
                ),
                "frequency": "very_rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Pressure problem in the brain",
                "description": (
                    "If the pressure inside the head is very high, for "
                    "example from a large swelling in the brain, taking out "
                    "fluid could make the brain shift. This can be life "
                    "threatening. Your doctor checks for signs of high "
                    "pressure first, and asks for a brain scan if needed. "
                    "This is why the problem is very rare."
                ),
                "frequency": "very_rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
        ],
        "preparation_steps": [
            {
                "instruction": (
                    "Tell the team if you take any medicine that thins your "
                    "blood. This includes warfarin, apixaban, rivaroxaban, "
                    "dabigatran, edoxaban, heparin injections, clopidogrel "
                    "and aspirin. You may need to stop some of them for a "
                    "few days. Do not stop any medicine unless the team has "
                    "told you to."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "Tell the team if you have any allergies, a bleeding "
                    "problem, or a chance that you could be pregnant. Also "
                    "tell them if you have a rash or sore on your lower "
                    "back, or you feel unwell with a fever."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "If you were asked to have a blood test before the "
                    "procedure, please make sure you have had it. This "
                    "checks that your blood clots normally."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "Arrange for someone to take you home. It is best not to "
                    "drive yourself home on the day. Plan to rest for the "
                    "rest of the day."
                ),
                "timing": "The day before",
                "days_before": 1,
            },
            {
                "instruction": (
                    "You can eat and drink as normal, unless the team tells "
                    "you otherwise. Take your usual medicines, apart from "
                    "any you have been told to stop. Have a shower and wear "
                    "loose, comfortable clothes."
                ),
                "timing": "Morning of the procedure",
                "days_before": 0,
            },
            {
                "instruction": (
                    "Bring a list of all the medicines you take, and your "
                    "glasses or hearing aids if you use them. Use the "
                    "bathroom just before the procedure."
                ),
                "timing": "Morning of the procedure",
                "days_before": 0,
            },
            {
                "instruction": (
                    "Rest for the rest of the day and drink plenty of "
                    "fluids. If you get a headache that is worse when you "
                    "sit up, lie flat and contact the team if it does not "
                    "settle within a day or two."
                ),
                "timing": "After the procedure",
            },
        ],
        "checklist_items": [
            {
                "text": (
                    "Patient identity confirmed with two identifiers (full "
                    "name and date of birth) against the wristband and the "
                    "request form"
                ),
                "category": "identity",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Allergies checked and recorded, including local "
                    "anesthetic, skin cleaning solution (chlorhexidine or "
                    "iodine), latex and dressings"
                ),
                "category": "allergies",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": (
                    "Do you have any allergies? This could be to a medicine, latex, tape or a skin cleaner."
                ),
                "expected_answer": "no",
            },
            {
                "text": (
                    "Anticoagulant and antiplatelet medicines reviewed: any "
                    "that had to be held were stopped for the agreed time "
                    "(date of last dose recorded), or the doctor has agreed "
                    "to go ahead"
                ),
                "category": "medication",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": (
                    "Do you take a blood thinner? This could be warfarin, apixaban, "
                    "rivaroxaban, clopidogrel, aspirin or a similar drug."
                ),
                "expected_answer": "no",
                "patient_prompt": (
                    "Please call the clinic before you stop or change any medicine. "
                    "Do not stop a blood thinner unless your care team tells you to."
                ),
            },
            {
                "text": (
                    "Platelet count and clotting (INR) results reviewed and within the safe range agreed by the doctor"
                ),
                "category": "tests",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Brain scan (CT or MRI) reviewed by the doctor before the "
                    "procedure where there are signs of raised pressure in "
                    "the head, or the doctor has recorded that no scan is "
                    "needed"
                ),
                "category": "imaging",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "No fever and no skin infection, rash or broken skin "
                    "over the lower back; baseline observations (pulse, "
                    "blood pressure, temperature) recorded"
                ),
                "category": "other",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "Do you have a fever, or a rash, sore or infection on your lower back?",
                "expected_answer": "no",
            },
            {
                "text": (
                    "Pregnancy status checked for anyone who could be pregnant (needed if X-ray guidance is planned)"
                ),
                "category": "pregnancy",
                "required": False,
                "allow_not_applicable": True,
                "patient_question": "Is there any chance you could be pregnant?",
                "expected_answer": "no",
                "patient_prompt": (
                    "Please call the clinic before your appointment. X-rays may be used, "
                    "and the team will talk with you about what is safest."
                ),
                "ask_min_age": 12,
                "ask_max_age": 55,
                "ask_only_if_could_be_pregnant": True,
            },
            {
                "text": "Transport home arranged; the patient is advised not to drive themselves home",
                "category": "transport",
                "required": False,
                "allow_not_applicable": True,
                "patient_question": "Have you arranged for someone to take you home after the procedure?",
                "expected_answer": "yes",
            },
            {
                "text": "Signed consent confirmed with the patient on the day and any questions answered",
                "category": "consent",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
        ],
        "questions": [
            {
                "question": "What does a lumbar puncture take from your body?",
                "choices": [
                    "Fluid from inside the spinal cord",
                    "Clear fluid from around your brain and spinal cord, taken low in your back",
                    "A small piece of bone from your back",
                    "Blood from a vein in your back",
                ],
                "correct_choice": 2,
                "explanation": (
                    "The test takes a small amount of the clear fluid around "
                    "your brain and spinal cord. The needle goes into your "
                    "lower back, below where the spinal cord ends, so it does "
                    "not touch the spinal cord. Your body soon makes more fluid."
                ),
            },
            {
                "question": "A day later you get a headache that is worse when you sit up. What should you do?",
                "choices": [
                    "Carry on as normal and drink less",
                    "Lie flat, drink plenty, take painkillers, and call us if it does not settle",
                    "Wait two weeks before telling anyone",
                ],
                "correct_choice": 2,
                "explanation": (
                    "This kind of headache is common and usually gets better "
                    "by itself. Lying flat, drinking plenty and simple "
                    "painkillers help. Caffeine may help too. If it is bad or "
                    "lasts more than a day or two, contact the team, as they "
                    "can treat it. Get help at once if you also have a fever "
                    "or a stiff neck."
                ),
            },
            {
                "question": "Can you change your mind after you sign?",
                "choices": [
                    "No, once you sign you must go ahead",
                    "Yes, you can change your mind at any time",
                    "Only if your doctor agrees",
                ],
                "correct_choice": 2,
                "explanation": (
                    "It is always your choice. You can change your mind at "
                    "any time, even after signing and even on the day. Just "
                    "tell the team. They will talk with you about what it "
                    "means for your care."
                ),
            },
        ],
    },
    # ------------------------------------------------------------------
    # Percutaneous lumbar fusion
    # ------------------------------------------------------------------
    {
        "slug": "percutaneous-lumbar-fusion",
        "name": "Lower back fusion through small cuts",
        "summary": (
            "This is an operation that joins two or more of the bones in "
            "your lower back so they grow together into one solid piece. It "
            "is done through small cuts in the skin. Doctors call it a "
            "percutaneous lumbar fusion: percutaneous means through the skin, "
            "and lumbar means the lower back. "
            "Screws, rods and a small spacer hold the bones still while they "
            "heal."
        ),
        "what_happens": (
            "You will have a general anesthetic. This is medicine that puts "
            "you into a deep sleep, so you feel nothing. The operation "
            "usually takes 2 to 4 hours. It can take longer if more than one "
            "level of your spine is treated.\n\n"
            "- Before the operation, you meet the surgeon and the anesthesia "
            "doctor. The surgeon marks the place on your back.\n"
            "- A thin tube (a drip) is put into a vein in your hand or arm.\n"
            "- Once you are asleep, you are turned to lie on your front on a "
            "padded frame.\n"
            "- The surgeon uses X-ray pictures during the operation to guide "
            "the work. Your nerves may also be checked with small sensors.\n"
            "- A few small cuts are made in your back, each about 1 to 1.5 "
            "inches (2 to 4 cm) long.\n"
            "- Through a narrow tube, the surgeon takes out the worn or "
            "damaged disc between two bones. The disc is the soft cushion "
            "between the bones.\n"
            "- A small spacer, called a cage, is put in the gap. It is "
            "filled with bone graft. This may be your own bone, bone from a "
            "donor, or a man-made material. Over time, new bone grows "
            "through it and joins the two bones.\n"
            "- Screws are put into the bones and joined with rods. These "
            "hold the bones still while they heal.\n"
            "- The cuts are closed with stitches or glue and covered with "
            "dressings.\n\n"
            "After the operation, you wake up in a recovery room and then go "
            "to a ward. Most people stay in the hospital for 1 to 4 nights."
        ),
        "indications": (
            "This operation may be offered if you have had back pain or leg "
            "pain for a long time, and other treatments have not helped "
            "enough. These include physical therapy, exercise, painkillers "
            "and injections. It is usually only offered after several months "
            "of these treatments.\n\n"
            "It is used for problems where the bones of the lower back move "
            "too much or press on nerves, such as:\n\n"
            "- Spondylolisthesis. This is when one bone has slipped forward "
            "on the one below it.\n"
            "- A spine that is not stable and moves in a way that causes "
            "pain.\n"
            "- Narrowing of the space for the nerves (spinal stenosis) "
            "together with a slip or an unstable spine.\n"
            "- A badly worn disc, in some carefully chosen cases.\n\n"
            "It is sometimes used after a spine injury, an infection, a "
            "growth or a curve in the spine."
        ),
        "benefits": (
            "The aim is to reduce your pain and help you do more. Holding "
            "the bones still can stop painful movement. Making space for "
            "the nerves can ease leg pain, numbness and weakness.\n\n"
            "Because the cuts are small, there is usually less damage to the "
            "muscles than with open surgery. This can mean less pain, less "
            "blood loss and a shorter stay in the hospital.\n\n"
            "Many people get a good improvement. But the operation may not "
            "take away all of your pain. Leg pain often gets better more "
            "than back pain does."
        ),
        "alternatives": (
            "- No treatment (no operation). You can choose not to have surgery. Your "
            "symptoms may stay the same, get better, or slowly get worse. "
            "Waiting is unlikely to cause serious harm, unless you have "
            "warning signs such as weak legs or problems with your bladder. "
            "You can still choose surgery later if you change your mind.\n"
            "- Non-surgical care. This includes physical therapy, exercise, "
            "weight loss, painkillers and a pain management program.\n"
            "- Injections. Steroid injections near the nerves or the small "
            "joints of the spine may ease pain for a while.\n"
            "- Open fusion. This is the same type of operation done through "
            "one longer cut.\n"
            "- Freeing the nerves without a fusion. If your spine is stable "
            "and the main problem is pressure on the nerves, a smaller "
            "operation, such as a laminectomy, may be enough.\n"
            "- Disc replacement. This may suit a small number of people.\n\n"
            "Your surgeon will talk with you about which options could work "
            "for you."
        ),
        "recovery": (
            "The team will help you get up and walk on the day of surgery or "
            "the next day. You will get medicine for pain. A physical "
            "therapist will show you how to move safely.\n\n"
            "- The bones take 3 to 6 months to join, and sometimes up to a "
            "year.\n"
            "- For the first 6 weeks, avoid heavy lifting, bending and "
            "twisting. Your team will tell you what is safe.\n"
            "- Walk every day and slowly do a little more.\n"
            "- Many people go back to office work after 4 to 6 weeks. Heavy "
            "work may take 3 months or more.\n"
            "- Do not drive until you can move freely, are off strong "
            "painkillers and could stop the car fast in an emergency. Ask "
            "your team when this is likely.\n"
            "- Do not smoke. Smoking slows bone healing.\n"
            "- Stitches, if you have them, are usually taken out after 10 "
            "to 14 days.\n\n"
            "Get urgent medical help straight away if you have any of these:\n\n"
            "- Numbness around your bottom or between your legs, or you "
            "cannot control or cannot pass urine, or cannot control your "
            "bowels.\n"
            "- New or worse weakness or numbness in your legs.\n"
            "- Chest pain, being short of breath, or coughing up blood.\n"
            "- A painful, swollen calf.\n"
            "- A fever, or a wound that is red, hot, swollen, leaking pus or "
            "coming apart.\n"
            "- Clear fluid leaking from the wound, or a bad headache when "
            "you sit or stand.\n"
            "- Pain that is getting worse and is not helped by your "
            "painkillers."
        ),
        "risks": [
            {
                "title": "Pain after the operation",
                "description": (
                    "Your back will be sore for some weeks. You will have "
                    "medicine for pain in the hospital and to take home. "
                    "The pain slowly gets better as you heal."
                ),
                "frequency": "very_common",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Nausea or a sore throat",
                "description": (
                    "After a general anesthetic, you may feel sick to your "
                    "stomach or have a sore throat from the breathing tube. "
                    "Medicine can help with the sick feeling. Both usually "
                    "pass within a day or two."
                ),
                "frequency": "very_common",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Wound infection",
                "description": (
                    "Germs can get into the wound. Most infections are mild "
                    "and get better with antibiotics. A deep infection is "
                    "less common. It may need another operation to clean "
                    "the wound. You will have antibiotics during the "
                    "operation to lower the risk."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 50,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Leak of spinal fluid",
                "description": (
                    "The thin covering around the nerves can tear during "
                    "the operation. This can let the fluid around the nerves "
                    "leak. The tear is usually mended straight away. You may "
                    "need to lie flat for a short time. Now and then a leak "
                    "causes headaches or fluid from the wound. Rarely, "
                    "another operation is needed to seal it."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 30,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "New leg pain, numbness or weakness",
                "description": (
                    "A nerve can be bruised or stretched during the "
                    "operation, or a screw can sit too close to a nerve. "
                    "This can cause new or worse pain, numbness or weakness "
                    "in a leg. It usually gets better over weeks or months. "
                    "Sometimes a screw needs to be moved in another "
                    "operation."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 50,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Serious nerve damage",
                "description": (
                    "Rarely, nerves are badly harmed. This could cause "
                    "lasting weakness in the legs, or loss of control of "
                    "your bladder, bowels or sexual function. In the worst "
                    "case, it could cause paralysis of the legs. The team "
                    "takes great care to protect the nerves."
                ),
                "frequency": "rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Bleeding",
                "description": (
                    "Some bleeding is normal. Very few people need a blood "
                    "transfusion after this type of surgery. Rarely, blood "
                    "collects near the nerves and presses on them. This "
                    "needs an urgent operation. Damage to a large blood "
                    "vessel is very rare but can be life threatening."
                ),
                "frequency": "uncommon",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Blood clot in a leg or lung",
                "description": (
                    "A blood clot can form in a vein in the leg (deep vein "
                    "thrombosis, or DVT). Rarely, part of a clot travels to "
                    "the lungs (pulmonary embolism). This can be life "
                    "threatening. Getting up and walking early, and using "
                    "stockings, calf pumps or injections, lowers the risk. "
                    "Get help at once for a painful swollen calf, chest pain "
                    "or trouble breathing."
                ),
                "frequency": "uncommon",
                "frequency_n": 1,
                "frequency_m": 200,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Bones not joining",
                "description": (
                    "Sometimes the bones do not grow together firmly. This "
                    "is called non-union. It can cause ongoing pain and may "
                    "need another operation. Smoking, diabetes and thin "
                    "bones make it more likely. Stopping smoking is one of "
                    "the best things you can do to help the bones join."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 20,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Problems with the screws, rods or cage",
                "description": (
                    "A screw may be in the wrong place, or the metal parts "
                    "may loosen, move or break over time. This is more "
                    "likely if the bones do not join. Some of these "
                    "problems need another operation to fix."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 50,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Wear at the levels next to the fusion",
                "description": (
                    "Once two bones are joined, the joints above and below "
                    "them take more strain. Over the years they may wear "
                    "faster and cause new pain. This is called adjacent "
                    "segment disease. About 1 in 10 people need more "
                    "surgery for this within 10 years."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 10,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Pain not getting better enough",
                "description": (
                    "Even when the bones join well, some people still have "
                    "pain. The operation may not help as much as you hope. "
                    "Back pain is less likely to get better than leg pain."
                ),
                "frequency": "very_common",
                "frequency_n": 1,
                "frequency_m": 5,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Serious problems from the anesthetic",
                "description": (
                    "Serious problems, such as a severe allergic reaction, "
                    "a heart attack or a stroke, are very rare. Death caused "
                    "by the anesthetic is very rare too. The risk is higher "
                    "if you have heart or lung disease. The anesthesia "
                    "doctor will talk with you about your own risk."
                ),
                "frequency": "very_rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
        ],
        "preparation_steps": [
            {
                "instruction": (
                    "If you smoke or use nicotine, stop as soon as you can. "
                    "Smoking makes it less likely that the bones will join. "
                    "Ask your doctor or pharmacist for help to quit."
                ),
                "timing": "As soon as surgery is planned",
            },
            {
                "instruction": (
                    "Go to your pre-surgery check. You will have blood tests "
                    "and other checks, and you can ask questions. Bring a "
                    "list of all the medicines you take."
                ),
                "timing": "2 to 4 weeks before",
                "days_before": 14,
            },
            {
                "instruction": (
                    "Tell the team if you take any medicine that thins your "
                    "blood. This includes warfarin, apixaban, rivaroxaban, "
                    "dabigatran, clopidogrel and aspirin. You may need to "
                    "stop it for a few days. The team may also ask you to "
                    "stop anti-inflammatory painkillers, such as ibuprofen. "
                    "Do not stop any medicine unless the team has told you "
                    "to."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "Arrange for an adult to drive you home from the "
                    "hospital. Ask someone to help you at home for the first "
                    "week or two. Put things you use often at waist height, "
                    "so you do not need to bend."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "Have a shower or bath. Use the special wash if the team "
                    "gave you one. Do not shave your back. Take off nail "
                    "polish and jewelry."
                ),
                "timing": "The day before",
                "days_before": 1,
            },
            {
                "instruction": (
                    "Do not eat anything for 6 hours before your operation "
                    "time. This includes chewing gum and candy. You can "
                    "drink clear fluids, such as water, until 2 hours "
                    "before. Follow the exact times your hospital gives you."
                ),
                "timing": "The night before and morning of the procedure",
                "days_before": 0,
            },
            {
                "instruction": (
                    "Take your usual medicines with a sip of water, unless "
                    "you were told not to. If you have diabetes, follow the "
                    "advice you were given about your medicines. Bring your "
                    "medicines, loose clothes, flat shoes and an overnight "
                    "bag."
                ),
                "timing": "Morning of the procedure",
                "days_before": 0,
            },
            {
                "instruction": (
                    "Walk a little more each day. Avoid heavy lifting, "
                    "bending and twisting until the team says it is safe. "
                    "Do not drive until the team says you can."
                ),
                "timing": "After the procedure",
            },
        ],
        "checklist_items": [
            {
                "text": (
                    "Patient identity confirmed with two identifiers (full "
                    "name and date of birth) against the wristband and the "
                    "operation list"
                ),
                "category": "identity",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Allergies checked and recorded, including medicines, "
                    "latex, dressings and skin cleaning solution; allergy "
                    "band on if needed"
                ),
                "category": "allergies",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": (
                    "Do you have any allergies? This could be to a medicine, latex, tape or a skin cleaner."
                ),
                "expected_answer": "no",
            },
            {
                "text": (
                    "Anticoagulant and antiplatelet medicines stopped as "
                    "instructed by the surgical team (date of last dose "
                    "recorded), or the surgeon has agreed to continue them"
                ),
                "category": "medication",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": (
                    "Do you take a blood thinner? This could be warfarin, apixaban, "
                    "rivaroxaban, clopidogrel, aspirin or a similar drug."
                ),
                "expected_answer": "no",
                "patient_prompt": (
                    "Please call the clinic before you stop or change any medicine. "
                    "Do not stop a blood thinner unless your care team tells you to."
                ),
            },
            {
                "text": "Diabetes medicines adjusted as advised and blood sugar checked on arrival",
                "category": "medication",
                "required": False,
                "allow_not_applicable": True,
                "patient_question": "Do you have diabetes?",
                "expected_answer": "no",
            },
            {
                "text": (
                    "Pre-operative blood tests reviewed: blood count, kidney "
                    "function, clotting, and a valid blood type and "
                    "screen (group and save) sample"
                ),
                "category": "tests",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Fasting confirmed: no food for at least 6 hours and "
                    "clear fluids only until 2 hours before; times of last "
                    "food and drink recorded"
                ),
                "category": "fasting",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "Do you know when to stop eating and drinking before your operation?",
                "expected_answer": "yes",
            },
            {
                "text": (
                    "Pregnancy status confirmed for anyone who could be "
                    "pregnant (pregnancy test on the day where policy "
                    "requires)"
                ),
                "category": "pregnancy",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": "Is there any chance you could be pregnant?",
                "expected_answer": "no",
                "patient_prompt": (
                    "Please call the clinic before your appointment. X-rays may be used, "
                    "and the team will talk with you about what is safest."
                ),
                "ask_min_age": 12,
                "ask_max_age": 55,
                "ask_only_if_could_be_pregnant": True,
            },
            {
                "text": "Latest MRI scan and X-rays available in the operating room and reviewed by the surgeon",
                "category": "imaging",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Operation level(s) confirmed with the patient, records "
                    "and images, and the site marked by the surgeon"
                ),
                "category": "site",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Blood clot (VTE) risk assessed and prevention prescribed (stockings, calf pumps or injections)"
                ),
                "category": "other",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": "Smoking status recorded and stop-smoking advice given where needed",
                "category": "other",
                "required": False,
                "allow_not_applicable": False,
                "patient_question": "Do you smoke or use nicotine products?",
                "expected_answer": "no",
            },
            {
                "text": "Responsible adult arranged to take the patient home and help at home after discharge",
                "category": "transport",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": (
                    "Have you arranged for an adult to drive you home and help you at home after the operation?"
                ),
                "expected_answer": "yes",
            },
            {
                "text": "Signed consent confirmed with the patient on the day and any questions answered",
                "category": "consent",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
        ],
        "questions": [
            {
                "question": "What is the main aim of this operation?",
                "choices": [
                    "To join two or more bones in your lower back",
                    "To replace your hip joint",
                    "To take fluid from your spine for tests",
                ],
                "correct_choice": 1,
                "explanation": (
                    "A fusion joins two or more bones in your lower back so "
                    "they heal into one solid piece. Screws, rods and a "
                    "spacer hold them still while new bone grows. This can "
                    "stop painful movement."
                ),
            },
            {
                "question": "Why should you stop smoking before and after surgery?",
                "choices": [
                    "It does not make any difference",
                    "Smoking makes it less likely the bones will join",
                    "Smoking only matters for lung surgery",
                ],
                "correct_choice": 2,
                "explanation": (
                    "Smoking slows bone healing. It makes it more likely "
                    "that the bones will not join, and that the wound will "
                    "get infected. Stopping gives your operation the best "
                    "chance. Your doctor or pharmacist can help you quit."
                ),
            },
            {
                "question": (
                    "After surgery, you get numbness between your legs or cannot pass urine. What should you do?"
                ),
                "choices": [
                    "Wait for your next check-up",
                    "Take more painkillers and rest",
                    "Get urgent medical help straight away",
                ],
                "correct_choice": 3,
                "explanation": (
                    "These can be signs that the nerves are being squeezed. "
                    "This needs to be checked and treated urgently. Get "
                    "medical help straight away, day or night. Do not wait "
                    "to see if it gets better."
                ),
            },
        ],
    },
    # ------------------------------------------------------------------
    # Lumbar sympathetic block
    # ------------------------------------------------------------------
    {
        "slug": "lumbar-sympathetic-block",
        "name": "Lumbar sympathetic block",
        "summary": (
            "A lumbar sympathetic block is an injection of numbing medicine "
            "near a chain of nerves that lie along the front and side of the "
            "spine in your lower back. These nerves help control blood flow "
            "and sweating in your legs. They can also play a part in some "
            "kinds of long-lasting leg pain."
        ),
        "what_happens": (
            "A pain doctor does the block in a room with an X-ray machine. "
            "The injection takes about 20 to 30 minutes. Plan to be at the "
            "hospital for 2 to 4 hours in all.\n\n"
            "- A thin tube (a drip) may be put into a vein in your hand.\n"
            "- Some people are given medicine to help them relax. This is "
            "called light sedation. You stay awake or a little drowsy.\n"
            "- You lie on your front with a pillow under your belly.\n"
            "- Small sensors may be put on your feet to measure how warm "
            "they get.\n"
            "- Your skin is cleaned, and numbing medicine (a local "
            "anesthetic) is put into the skin. This stings for a few "
            "seconds.\n"
            "- Using X-ray pictures to guide it, the doctor passes a thin "
            "needle to the side of your spine. Sometimes a CT scanner (a "
            "machine that takes detailed X-ray pictures) is used instead.\n"
            "- A small amount of dye is injected. This shows on the X-ray "
            "and checks that the needle is in the right place.\n"
            "- Then the numbing medicine is injected. Some doctors add other "
            "medicines, such as a steroid.\n"
            "- You may feel pressure or a dull ache in your back.\n\n"
            "Afterward, you rest for 30 to 60 minutes. The team checks your "
            "blood pressure and the strength in your legs before you walk. "
            "Your leg and foot often feel warm. This is a sign that the "
            "block has worked on these nerves."
        ),
        "indications": (
            "A lumbar sympathetic block is used to ease some kinds of "
            "long-lasting pain in the leg or foot. These include:\n\n"
            "- Complex regional pain syndrome (CRPS) in a leg or foot. This "
            "is a long-lasting pain, often with swelling and changes in the "
            "color or warmth of the skin. It can start after an injury. It "
            "used to be called reflex sympathetic dystrophy.\n"
            "- Some kinds of nerve pain, such as pain after an injury, after "
            "shingles, or in a limb that has been removed (phantom limb "
            "pain).\n"
            "- Pain from poor blood flow to the legs, when an operation to "
            "improve blood flow is not possible.\n\n"
            "It is also used as a test. If the block helps, your team knows "
            "these nerves play a part in your pain. This helps them plan "
            "your next steps.\n\n"
            "It is not a usual treatment for common low back pain."
        ),
        "benefits": (
            "The block may ease your pain for a few hours, days or weeks. "
            "If it helps, a series of blocks may give relief for longer.\n\n"
            "While the pain is eased, you may be able to move your leg more "
            "and do more physical therapy. This is an important part of "
            "getting better from CRPS.\n\n"
            "The block can also improve blood flow and warmth in your leg, "
            "and help your team understand your pain."
        ),
        "alternatives": (
            "- No treatment. You can choose not to have the block. Your pain "
            "is likely to carry on as it is now. Saying no will not harm you "
            "directly. But with CRPS, a leg that is not used can get stiff "
            "and weak, so keeping it moving matters whatever you decide.\n"
            "- Medicines for nerve pain, such as amitriptyline, gabapentin, "
            "pregabalin or duloxetine.\n"
            "- Physical therapy and occupational therapy, including methods "
            "such as mirror therapy.\n"
            "- Psychological support and a pain management program. These "
            "help you cope with pain and do more.\n"
            "- Spinal cord stimulation. This is a small device that sends "
            "mild electric pulses to the nerves. It may help some people "
            "with CRPS.\n"
            "- For poor blood flow, treatments to open or bypass narrow "
            "blood vessels.\n\n"
            "Your pain team will talk with you about which options suit you."
        ),
        "recovery": (
            "Rest for the rest of the day. Your leg may feel warm, heavy, "
            "numb or weak for a few hours. Take care when you walk, and have "
            "someone with you. Do not drive for the rest of the day. If you "
            "had sedation, do not drive for 24 hours.\n\n"
            "Most people go back to their usual activities the next day. "
            "Your back may be sore for a few days.\n\n"
            "Keep a pain diary for a week. Write down your pain score before "
            "the block and then every few hours after it. Note how long any "
            "relief lasts. This helps your team plan your next steps.\n\n"
            "Get urgent medical help straight away if you have any of these:\n\n"
            "- Numbness or weakness in your legs that is getting worse, or "
            "is still there the next morning.\n"
            "- Numbness around your bottom or between your legs, or you "
            "cannot control your bladder or bowels.\n"
            "- Bad pain in your back or belly, or feeling faint or dizzy "
            "that does not settle.\n"
            "- Blood in your urine, or bad pain in your side.\n"
            "- A fever, or redness, swelling or pus where the needle went in."
        ),
        "risks": [
            {
                "title": "Soreness or bruising",
                "description": (
                    "Your back may be sore or bruised where the needle went "
                    "in. This usually gets better within a few days. Simple "
                    "painkillers can help."
                ),
                "frequency": "common",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Leg numbness or weakness for a few hours",
                "description": (
                    "The numbing medicine can spread to nearby nerves that "
                    "supply the leg. Your leg may feel numb, heavy or weak "
                    "for a few hours. This wears off. Until it does, you "
                    "could fall, so take care and have someone help you. "
                    "Do not drive."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 20,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Low blood pressure or dizziness",
                "description": (
                    "The block makes the blood vessels in your leg wider. "
                    "This can lower your blood pressure, so you may feel "
                    "dizzy, faint or sick. The team checks your blood "
                    "pressure. They may give you fluids through a drip. Sit "
                    "up and stand up slowly."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 20,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "The block does not help, or wears off",
                "description": (
                    "Not everyone gets pain relief from this block. When it "
                    "does help, the relief may last a few hours or a few "
                    "weeks. You may need more blocks. If it does not help, "
                    "your team will talk with you about other treatments."
                ),
                "frequency": "very_common",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Pain in the groin or thigh",
                "description": (
                    "A nerve near the needle can be irritated. This can "
                    "cause a burning or aching pain in the groin or the "
                    "front of the thigh. It usually fades within a few "
                    "weeks. It is more likely if a longer-lasting injection "
                    "is used that damages the nerves on purpose."
                ),
                "frequency": "uncommon",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "moderate",
                "is_material": False,
            },
            {
                "title": "Medicine going into a blood vessel",
                "description": (
                    "Large blood vessels lie close to these nerves. The dye "
                    "check helps the doctor avoid them. If numbing medicine "
                    "goes into a blood vessel, you may feel dizzy, have "
                    "ringing in your ears or a metal taste in your mouth. "
                    "Very rarely, it can cause a seizure or a problem "
                    "with your heartbeat. The team is trained and ready to "
                    "treat this."
                ),
                "frequency": "rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Nerve injury",
                "description": (
                    "The needle or the medicine could harm a nerve near the "
                    "spine. This could cause numbness, tingling, pain or "
                    "weakness in a leg. It is usually short-lived. Lasting "
                    "nerve damage is rare. Rarely, the medicine spreads into "
                    "the spine and numbs both legs for a few hours."
                ),
                "frequency": "rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Bleeding",
                "description": (
                    "A little bruising is common. Bleeding deep inside, "
                    "near the spine or the kidney, is rare. The risk is "
                    "higher if you take blood thinners, which is why we ask "
                    "about them. Get help if you have bad pain in your back "
                    "or belly, or you feel faint."
                ),
                "frequency": "rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Infection",
                "description": (
                    "Germs could get in where the needle goes through the "
                    "skin. The team uses a clean (sterile) method to prevent "
                    "this. Most infections are treated with antibiotics. "
                    "Get help if you have a fever, or redness, swelling or "
                    "pus where the needle went in."
                ),
                "frequency": "rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Allergic reaction",
                "description": (
                    "You could react to the dye, the numbing medicine, the "
                    "skin cleaner or latex. Most reactions are mild, such as "
                    "a rash. A severe reaction is rare. The team is trained "
                    "and ready to treat it. Tell us about any allergies "
                    "before the block."
                ),
                "frequency": "rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Harm to the kidney or nearby organs",
                "description": (
                    "The kidney and the tube that carries urine lie near "
                    "the needle path. Very rarely, the needle touches them. "
                    "This may cause blood in your urine, which usually "
                    "settles by itself."
                ),
                "frequency": "very_rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "moderate",
                "is_material": False,
            },
        ],
        "preparation_steps": [
            {
                "instruction": (
                    "Tell the team if you take any medicine that thins your "
                    "blood. This includes warfarin, apixaban, rivaroxaban, "
                    "dabigatran, clopidogrel and aspirin. You may need to "
                    "stop it for a few days. Do not stop any medicine unless "
                    "the team has told you to."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "Tell the team if you have any allergies, especially to "
                    "X-ray dye, iodine, numbing medicine or latex. Also tell "
                    "them if you could be pregnant, as X-rays are used."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "Arrange for an adult to drive you home and stay with "
                    "you for the rest of the day. Your leg may be numb or "
                    "weak for a few hours, so you must not drive yourself."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "If you will have sedation, do not eat anything for 6 "
                    "hours before your appointment. You can drink clear "
                    "fluids, such as water, until 2 hours before. If you "
                    "will not have sedation, you can eat a light meal."
                ),
                "timing": "Morning of the procedure",
                "days_before": 0,
            },
            {
                "instruction": (
                    "Take your usual medicines, apart from any you were told "
                    "to stop. Bring a list of all the medicines you take. "
                    "Wear loose, comfortable clothes. Write down how bad your "
                    "pain is before you come in, on a scale of 0 to 10."
                ),
                "timing": "Morning of the procedure",
                "days_before": 0,
            },
            {
                "instruction": (
                    "Rest for the rest of the day. Do not drive until the "
                    "next day. Keep a pain diary for a week, noting how much "
                    "and for how long the block helped."
                ),
                "timing": "After the procedure",
            },
        ],
        "checklist_items": [
            {
                "text": (
                    "Patient identity confirmed with two identifiers (full "
                    "name and date of birth) against the wristband and the "
                    "request form"
                ),
                "category": "identity",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Allergies checked and recorded, including X-ray "
                    "contrast (dye), iodine, local anesthetic, latex and "
                    "skin cleaning solution"
                ),
                "category": "allergies",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": (
                    "Do you have any allergies? This could be to X-ray dye, iodine, numbing medicine or latex."
                ),
                "expected_answer": "no",
            },
            {
                "text": (
                    "Anticoagulant and antiplatelet medicines reviewed: held "
                    "as agreed with the pain doctor (date of last dose "
                    "recorded), or the doctor has agreed to go ahead"
                ),
                "category": "medication",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": (
                    "Do you take a blood thinner? This could be warfarin, apixaban, "
                    "rivaroxaban, clopidogrel, aspirin or a similar drug."
                ),
                "expected_answer": "no",
                "patient_prompt": (
                    "Please call the clinic before you stop or change any medicine. "
                    "Do not stop a blood thinner unless your care team tells you to."
                ),
            },
            {
                "text": (
                    "INR or platelet result reviewed where the patient takes warfarin or has a known bleeding problem"
                ),
                "category": "tests",
                "required": False,
                "allow_not_applicable": True,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": "Pregnancy status confirmed for anyone who could be pregnant (X-ray guidance is used)",
                "category": "pregnancy",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": "Is there any chance you could be pregnant?",
                "expected_answer": "no",
                "patient_prompt": (
                    "Please call the clinic before your appointment. X-rays may be used, "
                    "and the team will talk with you about what is safest."
                ),
                "ask_min_age": 12,
                "ask_max_age": 55,
                "ask_only_if_could_be_pregnant": True,
            },
            {
                "text": (
                    "If sedation is planned: fasting confirmed (no food for "
                    "6 hours, clear fluids until 2 hours before) and a drip "
                    "in place"
                ),
                "category": "fasting",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Responsible adult arranged to drive the patient home and stay with them for the rest of the day"
                ),
                "category": "transport",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "Have you arranged for an adult to drive you home and stay with you afterward?",
                "expected_answer": "yes",
            },
            {
                "text": "Side to be treated (left or right) confirmed with the patient and the records, and marked",
                "category": "site",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "No fever or infection at the injection site; baseline "
                    "pain score, blood pressure and foot temperatures "
                    "recorded"
                ),
                "category": "other",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "Do you have a fever, or a rash, sore or infection on your lower back?",
                "expected_answer": "no",
            },
            {
                "text": "Signed consent confirmed with the patient on the day and any questions answered",
                "category": "consent",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
        ],
        "questions": [
            {
                "question": "Where does the needle go?",
                "choices": [
                    "Into the spinal cord",
                    "Near nerves beside the spine in your lower back",
                    "Into your hip joint",
                ],
                "correct_choice": 2,
                "explanation": (
                    "The medicine goes near a chain of nerves that lie "
                    "beside the spine in your lower back. These nerves help "
                    "control blood flow in your legs and can play a part in "
                    "some leg pain. The needle does not go into the spinal "
                    "cord."
                ),
            },
            {
                "question": "Why must you not drive yourself home?",
                "choices": [
                    "Your leg may be numb or weak, and you may feel dizzy",
                    "You can drive if you feel fine",
                    "Because of the X-ray",
                ],
                "correct_choice": 1,
                "explanation": (
                    "For a few hours, your leg may be numb or weak and you "
                    "may feel dizzy. Driving would not be safe. An adult "
                    "should drive you home and stay with you for the rest "
                    "of the day."
                ),
            },
            {
                "question": "How long does the pain relief last?",
                "choices": [
                    "It is always permanent",
                    "It varies, and sometimes the block does not help",
                    "Exactly one month",
                ],
                "correct_choice": 2,
                "explanation": (
                    "Relief can last from a few hours to a few weeks, and "
                    "some people get no relief. Keeping a pain diary helps "
                    "your team see how well the block worked and plan what "
                    "to do next."
                ),
            },
        ],
    },
    # ------------------------------------------------------------------
    # Lumbar laminectomy
    # ------------------------------------------------------------------
    {
        "slug": "lumbar-laminectomy",
        "name": "Lumbar laminectomy",
        "summary": (
            "A lumbar laminectomy is an operation on your lower back to take "
            "pressure off squeezed nerves. The surgeon removes part of the "
            "bone at the back of the spine, called the lamina, to make more "
            "room for the nerves. That is where the name comes from: "
            "laminectomy means taking out the lamina, and lumbar means the "
            "lower back. It is an operation on the spine, not on the hip."
        ),
        "what_happens": (
            "You will have a general anesthetic. This is medicine that puts "
            "you into a deep sleep, so you feel nothing. The operation "
            "usually takes 1 to 3 hours, depending on how many levels are "
            "treated.\n\n"
            "- Before the operation, you meet the surgeon and the anesthesia "
            "doctor. The surgeon marks the place on your back.\n"
            "- A thin tube (a drip) is put into a vein in your hand or arm.\n"
            "- Once you are asleep, you are turned to lie on your front on a "
            "padded frame.\n"
            "- The surgeon makes a cut down the middle of your lower back. "
            "An X-ray picture is used to check the right level.\n"
            "- The muscles are gently moved aside. The surgeon removes part "
            "of the bone (the lamina) and any thick tissue or bony growths "
            "that press on the nerves. Sometimes part of a bulging disc is "
            "removed too.\n"
            "- The surgeon often uses a microscope or magnifying glasses to "
            "see the nerves clearly.\n"
            "- The wound is closed with stitches or clips and covered with "
            "a dressing. A small tube may be left in to drain fluid for a "
            "day.\n\n"
            "If your spine is not stable, the surgeon may also need to join "
            "some bones together (a fusion). They will talk with you about "
            "this before the operation.\n\n"
            "After the operation, you wake up in a recovery room and then go "
            "to a ward. Most people stay in the hospital for 1 to 3 nights."
        ),
        "indications": (
            "This operation is for leg pain, numbness or weakness caused by "
            "nerves being squeezed in your lower back. It is most often used "
            "for lumbar spinal stenosis. This means the space for the nerves "
            "has become narrow, often because of wear and tear with age.\n\n"
            "Common symptoms are pain, heaviness or numbness in the legs or "
            "buttocks when you walk or stand. These often ease when you sit "
            "or bend forward.\n\n"
            "It is usually offered when these symptoms limit your life and "
            "other treatments have not helped enough. An urgent operation "
            "may be needed if nerves are badly squeezed and you have weak "
            "legs or loss of bladder or bowel control."
        ),
        "benefits": (
            "The aim is to ease leg pain, numbness and weakness, and to help "
            "you walk and stand for longer. Most people with spinal stenosis "
            "find their leg symptoms get better after this operation.\n\n"
            "Leg pain usually improves more than back pain. If you have "
            "weakness or numbness, the operation aims to stop it getting "
            "worse. It may not fully return to normal."
        ),
        "alternatives": (
            "- No treatment (no operation). You can choose not to have surgery. Your "
            "symptoms may stay the same, come and go, or slowly get worse. "
            "For many people, waiting is safe. But get help at once if your "
            "legs get weak or you have bladder or bowel problems. You can "
            "still choose surgery later.\n"
            "- Physical therapy and exercise. These can help you stay active "
            "and walk further.\n"
            "- Painkillers and medicines for nerve pain.\n"
            "- Steroid injections near the nerves. These may ease leg pain "
            "for weeks or months.\n"
            "- A smaller or different operation. This depends on the cause. "
            "For example, only a bulging disc may need to be removed.\n\n"
            "Your surgeon will talk with you about which options could work "
            "for you."
        ),
        "recovery": (
            "Most people get up and walk on the day of surgery or the next "
            "day. You will get medicine for pain. A physical therapist will "
            "show you how to move safely and give you exercises.\n\n"
            "- Walk every day and slowly do a little more.\n"
            "- Avoid heavy lifting, bending and twisting for about 6 weeks, "
            "or as your team advises.\n"
            "- Many people go back to office work after 2 to 6 weeks. Heavy "
            "work may take longer.\n"
            "- Do not drive until you can move freely, are off strong "
            "painkillers and could stop the car fast in an emergency. This "
            "is often after 2 to 4 weeks.\n"
            "- Keep the wound clean and dry. Stitches or clips are usually "
            "taken out after 10 to 14 days.\n"
            "- Full recovery can take a few months.\n\n"
            "Get urgent medical help straight away if you have any of these:\n\n"
            "- Numbness around your bottom or between your legs, or you "
            "cannot control or cannot pass urine, or cannot control your "
            "bowels.\n"
            "- New or worse weakness or numbness in your legs.\n"
            "- Chest pain, being short of breath, or coughing up blood.\n"
            "- A painful, swollen calf.\n"
            "- A fever, or a wound that is red, hot, swollen, leaking pus or "
            "coming apart.\n"
            "- Clear fluid leaking from the wound, or a bad headache when "
            "you sit or stand.\n"
            "- Pain that is getting worse and is not helped by your "
            "painkillers."
        ),
        "risks": [
            {
                "title": "Pain after the operation",
                "description": (
                    "Your back will be sore for a few weeks. You will have "
                    "medicine for pain in the hospital and to take home. "
                    "The pain slowly gets better as you heal."
                ),
                "frequency": "very_common",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Nausea or a sore throat",
                "description": (
                    "After a general anesthetic, you may feel sick to your "
                    "stomach or have a sore throat from the breathing tube. "
                    "Medicine can help with the sick feeling. Both usually "
                    "pass within a day or two."
                ),
                "frequency": "very_common",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Trouble passing urine",
                "description": (
                    "For a short time after surgery, some people find it "
                    "hard to pass urine. A thin tube (a catheter) may be put "
                    "into the bladder to drain it for a day or two."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 20,
                "severity": "minor",
                "is_material": False,
            },
            {
                "title": "Tear in the covering of the nerves",
                "description": (
                    "The thin covering around the nerves (the dura) can tear "
                    "during the operation. This can let the fluid around the "
                    "nerves leak. The tear is usually mended straight away. "
                    "You may need to lie flat for a day. Now and then a leak "
                    "causes headaches or clear fluid from the wound. Rarely, "
                    "another operation is needed to seal it."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 20,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Wound infection",
                "description": (
                    "Germs can get into the wound. Most infections are mild "
                    "and get better with antibiotics. A deep infection is "
                    "less common. It may need another operation to clean "
                    "the wound. You will have antibiotics during the "
                    "operation to lower the risk."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 50,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Nerve damage",
                "description": (
                    "A nerve can be harmed during the operation. This could "
                    "cause new numbness, pain or weakness in a leg. It often "
                    "gets better over time. Lasting damage is rare. Very "
                    "rarely, it affects control of the bladder, bowels or "
                    "sexual function, or causes paralysis of the legs."
                ),
                "frequency": "uncommon",
                "frequency_n": 1,
                "frequency_m": 200,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Blood collecting near the nerves",
                "description": (
                    "After surgery, blood can collect in the wound and press "
                    "on the nerves. This can cause bad pain and new weakness "
                    "or numbness in the legs. It needs an urgent operation "
                    "to remove the blood. Get help at once if this happens."
                ),
                "frequency": "rare",
                "frequency_n": 1,
                "frequency_m": 1000,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Blood clot in a leg or lung",
                "description": (
                    "A blood clot can form in a vein in the leg (deep vein "
                    "thrombosis, or DVT). Rarely, part of a clot travels to "
                    "the lungs (pulmonary embolism). This can be life "
                    "threatening. Getting up and walking early, and using "
                    "stockings, calf pumps or injections, lowers the risk. "
                    "Get help at once for a painful swollen calf, chest pain "
                    "or trouble breathing."
                ),
                "frequency": "uncommon",
                "frequency_n": 1,
                "frequency_m": 200,
                "severity": "serious",
                "is_material": True,
            },
            {
                "title": "Symptoms not getting better, or coming back",
                "description": (
                    "Some people's leg pain does not get better as much as "
                    "they hoped. In others, the symptoms come back over the "
                    "years, as wear and tear goes on. About 1 in 10 people "
                    "need more surgery within about 10 years. Back pain is less "
                    "likely to get better than leg pain."
                ),
                "frequency": "common",
                "frequency_n": 1,
                "frequency_m": 10,
                "severity": "moderate",
                "is_material": True,
            },
            {
                "title": "Spine becoming less stable",
                "description": (
                    "Removing bone can make the spine less stable, and one "
                    "bone may slip on another. This can cause new back pain. "
                    "Some people need a fusion operation later to hold the "
                    "bones still."
                ),
                "frequency": "uncommon",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "moderate",
                "is_material": False,
            },
            {
                "title": "Serious problems from the anesthetic",
                "description": (
                    "Serious problems, such as a severe allergic reaction, "
                    "a heart attack or a stroke, are very rare. Death caused "
                    "by the anesthetic is very rare too. The risk is higher "
                    "if you have heart or lung disease. The anesthesia "
                    "doctor will talk with you about your own risk."
                ),
                "frequency": "very_rare",
                "frequency_n": None,
                "frequency_m": None,
                "severity": "serious",
                "is_material": True,
            },
        ],
        "preparation_steps": [
            {
                "instruction": (
                    "Go to your pre-surgery check. You will have blood tests "
                    "and other checks, and you can ask questions. Bring a "
                    "list of all the medicines you take. If you smoke, try "
                    "to stop, as this helps your wound heal."
                ),
                "timing": "2 to 4 weeks before",
                "days_before": 14,
            },
            {
                "instruction": (
                    "Tell the team if you take any medicine that thins your "
                    "blood. This includes warfarin, apixaban, rivaroxaban, "
                    "dabigatran, clopidogrel and aspirin. You may need to "
                    "stop it for a few days. Do not stop any medicine unless "
                    "the team has told you to."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "Arrange for an adult to drive you home from the "
                    "hospital. Ask someone to help you at home for the first "
                    "few days. Put things you use often at waist height, so "
                    "you do not need to bend."
                ),
                "timing": "7 days before",
                "days_before": 7,
            },
            {
                "instruction": (
                    "Have a shower or bath. Use the special wash if the team "
                    "gave you one. Do not shave your back. Take off nail "
                    "polish and jewelry."
                ),
                "timing": "The day before",
                "days_before": 1,
            },
            {
                "instruction": (
                    "Do not eat anything for 6 hours before your operation "
                    "time. This includes chewing gum and candy. You can "
                    "drink clear fluids, such as water, until 2 hours "
                    "before. Follow the exact times your hospital gives you."
                ),
                "timing": "The night before and morning of the procedure",
                "days_before": 0,
            },
            {
                "instruction": (
                    "Take your usual medicines with a sip of water, unless "
                    "you were told not to. If you have diabetes, follow the "
                    "advice you were given about your medicines. Bring your "
                    "medicines, loose clothes, flat shoes and an overnight "
                    "bag."
                ),
                "timing": "Morning of the procedure",
                "days_before": 0,
            },
            {
                "instruction": (
                    "Walk a little more each day. Avoid heavy lifting, "
                    "bending and twisting until the team says it is safe. "
                    "Do not drive until the team says you can."
                ),
                "timing": "After the procedure",
            },
        ],
        "checklist_items": [
            {
                "text": (
                    "Patient identity confirmed with two identifiers (full "
                    "name and date of birth) against the wristband and the "
                    "operation list"
                ),
                "category": "identity",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Allergies checked and recorded, including medicines, "
                    "latex, dressings and skin cleaning solution; allergy "
                    "band on if needed"
                ),
                "category": "allergies",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": (
                    "Do you have any allergies? This could be to a medicine, latex, tape or a skin cleaner."
                ),
                "expected_answer": "no",
            },
            {
                "text": (
                    "Anticoagulant and antiplatelet medicines stopped as "
                    "instructed by the surgical team (date of last dose "
                    "recorded), or the surgeon has agreed to continue them"
                ),
                "category": "medication",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": (
                    "Do you take a blood thinner? This could be warfarin, apixaban, "
                    "rivaroxaban, clopidogrel, aspirin or a similar drug."
                ),
                "expected_answer": "no",
                "patient_prompt": (
                    "Please call the clinic before you stop or change any medicine. "
                    "Do not stop a blood thinner unless your care team tells you to."
                ),
            },
            {
                "text": "Diabetes medicines adjusted as advised and blood sugar checked on arrival",
                "category": "medication",
                "required": False,
                "allow_not_applicable": True,
                "patient_question": "Do you have diabetes?",
                "expected_answer": "no",
            },
            {
                "text": (
                    "Pre-operative blood tests reviewed: blood count, kidney "
                    "function, clotting, and a valid blood type and "
                    "screen (group and save) sample"
                ),
                "category": "tests",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Fasting confirmed: no food for at least 6 hours and "
                    "clear fluids only until 2 hours before; times of last "
                    "food and drink recorded"
                ),
                "category": "fasting",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "Do you know when to stop eating and drinking before your operation?",
                "expected_answer": "yes",
            },
            {
                "text": (
                    "Pregnancy status confirmed for anyone who could be "
                    "pregnant (pregnancy test on the day where policy "
                    "requires)"
                ),
                "category": "pregnancy",
                "required": True,
                "allow_not_applicable": True,
                "patient_question": "Is there any chance you could be pregnant?",
                "expected_answer": "no",
                "patient_prompt": (
                    "Please call the clinic before your appointment. X-rays may be used, "
                    "and the team will talk with you about what is safest."
                ),
                "ask_min_age": 12,
                "ask_max_age": 55,
                "ask_only_if_could_be_pregnant": True,
            },
            {
                "text": "Latest MRI scan available in the operating room and reviewed by the surgeon",
                "category": "imaging",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Operation level(s) confirmed with the patient, records and MRI, and the site marked by the surgeon"
                ),
                "category": "site",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": (
                    "Blood clot (VTE) risk assessed and prevention prescribed (stockings, calf pumps or injections)"
                ),
                "category": "other",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
            {
                "text": "Responsible adult arranged to take the patient home and help at home after discharge",
                "category": "transport",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": (
                    "Have you arranged for an adult to drive you home and help you at home after the operation?"
                ),
                "expected_answer": "yes",
            },
            {
                "text": "Signed consent confirmed with the patient on the day and any questions answered",
                "category": "consent",
                "required": True,
                "allow_not_applicable": False,
                "patient_question": "",
                "expected_answer": "",
            },
        ],
        "questions": [
            {
                "question": "What does a lumbar laminectomy do?",
                "choices": [
                    "It replaces your hip joint",
                    "It removes some bone at the back of the spine to free the nerves",
                    "It takes fluid from your spine for tests",
                ],
                "correct_choice": 2,
                "explanation": (
                    "This operation is on your lower back, not your hip. The "
                    "surgeon removes part of the bone at the back of the "
                    "spine. This makes more room for squeezed nerves."
                ),
            },
            {
                "question": "Which symptom is this operation most likely to help?",
                "choices": [
                    "Leg pain caused by squeezed nerves",
                    "Back pain alone",
                    "Hip joint pain",
                ],
                "correct_choice": 1,
                "explanation": (
                    "The operation frees squeezed nerves, so it helps leg "
                    "pain, numbness and weakness most. Back pain is less "
                    "likely to get better. Hip joint pain is a different "
                    "problem with different treatments."
                ),
            },
            {
                "question": "A few days after surgery, clear fluid leaks from your wound. What should you do?",
                "choices": [
                    "Contact your care team or get medical help straight away",
                    "Cover it and wait for your next check-up",
                    "Nothing, this is normal",
                ],
                "correct_choice": 1,
                "explanation": (
                    "Clear fluid from the wound can mean a leak of the fluid "
                    "around the nerves. It can also raise the risk of "
                    "infection. It needs to be checked straight away, so "
                    "contact your team or get medical help at once."
                ),
            },
        ],
    },
]
