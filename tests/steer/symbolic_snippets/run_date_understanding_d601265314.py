def check_answer(answer):
    if answer == "Correct":
        print(f"Correct: {answer}")
    elif answer == "Wrong":
        print(f"Wrong: {answer}")
    else:
        print(f"Correct: {answer} is correct")

check_answer(10)
