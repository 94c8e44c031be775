def check(answer):
    if answer == "(C)":
        print("Correct")
    else:
        print("Wrong: the answer should be (C)")

check("(C)")
