def check_answer(answer):
    if answer == 7:
        print(f"Correct: {answer} Girls")
    elif answer == 79:
        print(f"Wrong: {answer} Boys")
    else:
        print(f"Wrong: {answer} Girls")

check_answer(7)
