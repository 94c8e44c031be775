answers = {
    "Q1": "(A)",
    "Q2": "(C)",
}
question_id = "Q2"
print(f"<<<{answers[question_id]}>>>")
