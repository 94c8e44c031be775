def check_answer(answer):
    if answer == "Correct":
        print(f"The answer is correct. The expression is evaluated as follows: {answer}")
    elif answer == "Wrong":
        print(f"The answer is wrong. The expression is evaluated as follows: {answer}")
    else:
        print(f"The answer is incorrect. The expression is evaluated as follows: {answer}")

check_answer(8*2*37/4)
