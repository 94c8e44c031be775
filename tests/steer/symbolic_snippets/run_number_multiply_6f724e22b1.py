def compute_answer(answer):
    if answer == -2*-9*-97:
        print("Correct")
    elif answer == -2*-9*-97:
        print("Wrong: " + str(answer))
    else:
        print(f"Correct: {answer}")

compute_answer(2)
