def check_answer(answer):
    if answer == "Correct":
        print(f"Correct: {answer} days after the interview.")
    elif answer == "Wrong: {answer} months after the interview.":
        print(f"Wrong: {answer} weeks after the interview.")
    else:
        print(f"Correct: {answer} days after the interview.")

check_answer(check_answer)
